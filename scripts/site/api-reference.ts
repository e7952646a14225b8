// The OpenAPI reference page, rendered by Redocly with its scripts inlined
// (--inlineBundle), so the page needs no CDN.
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

function redoclyCli(): string {
  const manifest = createRequire(import.meta.url).resolve("@redocly/cli/package.json");
  const { bin } = createRequire(import.meta.url)("@redocly/cli/package.json") as { bin: Record<string, string> };
  return join(dirname(manifest), bin["redocly"] ?? "bin/cli.js");
}

export async function buildApiReference(openapiFile: string, outputFile: string, configFile: string, title = "wallet-sync API reference"): Promise<void> {
  try {
    await run(process.execPath, [redoclyCli(), "build-docs", openapiFile, "--inlineBundle", "--title", title, "--config", configFile, "-o", outputFile], {
      // No usage reports and no update checks: the build works offline and says nothing unasked.
      env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const failed = error as { stderr?: string; stdout?: string; message: string };
    throw new Error(`redocly build-docs failed: ${(failed.stderr || failed.stdout || failed.message).trim()}`);
  }
}
