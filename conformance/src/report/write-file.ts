// Report files go where the flag says; CI jobs often name a folder that does not exist yet.
import { mkdir, stat, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * Creates the missing folders one level at a time. (mkdir's own recursive
 * mode can spin forever where creating fails oddly, as under /proc on Linux.)
 */
async function makeFolders(folder: string): Promise<void> {
  const missing: string[] = [];
  for (let dir = folder; !(await exists(dir)); dir = dirname(dir)) {
    missing.unshift(dir);
    if (dirname(dir) === dir) break;
  }
  for (const dir of missing) await mkdir(dir).catch(async (error: unknown) => {
    if (!(await exists(dir))) throw error;
  });
}

export async function writeReportFile(file: string, text: string): Promise<void> {
  await makeFolders(dirname(file));
  await writeFile(file, text, "utf8");
}
