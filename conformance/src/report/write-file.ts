// Report files: what a report writer is, and writing its file where the
// flag says (CI jobs often name a folder that does not exist yet).
import { mkdir, stat, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { RunResult } from "../model/result.js";

export interface ReportWriter {
  /** The long flag without dashes, e.g. "junit"; its value is the file to write. */
  flag: string;
  /** One line for --help, e.g. "write a JUnit XML report to FILE". */
  description: string;
  write(run: RunResult, file: string): Promise<void>;
}

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
