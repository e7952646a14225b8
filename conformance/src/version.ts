// The suite's own name and version, from its package.json, for reports.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export interface SuiteVersion {
  name: string;
  version: string;
}

let cached: SuiteVersion | undefined;

/** Found from this module both as .ts (tests) and as compiled .js under dist/ or an installed package. */
export function suiteVersion(): SuiteVersion {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth++) {
    const file = join(dir, "package.json");
    if (existsSync(file)) {
      const { name, version } = JSON.parse(readFileSync(file, "utf8")) as Partial<SuiteVersion>;
      if (name === "wallet-sync-conformance" && typeof version === "string") return (cached = { name, version });
    }
    dir = dirname(dir);
  }
  return (cached = { name: "wallet-sync-conformance", version: "unknown" });
}
