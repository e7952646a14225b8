// The suite stays bounded whatever a server sends: against servers that
// answer with an endless body, a trickling body, a header flood, JSON nested
// 200,000 deep or bytes that are not HTTP, the command (a child process, as
// CI runs it) ends in bounded time with exit 1 or 2, a message that says
// what the server did, and a peak RSS under 300 MB.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { hostileKinds, startHostileServer, type HostileKind, type HostileServer } from "./support/hostile-servers.js";

const root = join(import.meta.dirname, "../..");
const mainModule = join(root, "dist/conformance/src/cli/main.js");
const peakRssLimitKb = 300 * 1024;

/** Runs the built command in a child node that prints its own peak RSS (kB) when main() returns. */
function runMeasured(args: string[]): Promise<{ code: number; stdout: string; stderr: string; peakRssKb: number; seconds: number }> {
  if (!existsSync(mainModule)) throw new Error(`no ${mainModule}: run npm run build first (npm test does)`);
  const script = `const { main } = await import(${JSON.stringify(mainModule)});
const code = await main(${JSON.stringify(args)});
process.stderr.write("peak-rss-kb " + process.resourceUsage().maxRSS + "\\n");
process.exit(code);`;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ["--input-type=module", "-e", script], { timeout: 170_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
      const peak = /peak-rss-kb (\d+)/.exec(stderr)?.[1];
      if (peak === undefined) return reject(new Error(`the child ended without measuring (exit ${code}): ${stderr.slice(-2000)}`));
      resolve({ code, stdout, stderr, peakRssKb: Number(peak), seconds: (performance.now() - started) / 1000 });
    });
  });
}

/** What the message must say of each kind of answer, so a user knows what the server did. */
const said: Record<HostileKind, RegExp> = {
  "endless-body": /body is larger than 4 MiB/,
  "trickling-body": /headers came but its body did not end within/,
  "header-flood": /headers are larger than the suite reads/,
  "deep-json": /nests arrays or objects deeper than 64 levels/,
  "not-http": /not HTTP/,
};

let server: HostileServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("every request answered with it: the probe says what the server did (exit 2)", () => {
  for (const kind of hostileKinds) {
    test(kind, async () => {
      server = await startHostileServer(kind, { answerProbe: false });
      const run = await runMeasured(["--url", server.url, "--timeout", "2000"]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(said[kind]);
      expect(run.peakRssKb).toBeLessThan(peakRssLimitKb);
      expect(run.seconds).toBeLessThan(30);
      console.log(`probe ${kind}: exit ${run.code}, peak RSS ${Math.round(run.peakRssKb / 1024)} MB, ${run.seconds.toFixed(1)} s`);
    }, 60_000);
  }
});

describe("every case meets it: each ends as a finding of its case (exit 1)", () => {
  for (const kind of hostileKinds) {
    test(kind, async () => {
      server = await startHostileServer(kind, { answerProbe: true });
      const run = await runMeasured(["--url", server.url, "--timeout", "500", "--runs", "2", "--quiet"]);
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(said[kind]);
      expect(run.stdout).not.toMatch(/stopped with an exception/);
      expect(run.peakRssKb).toBeLessThan(peakRssLimitKb);
      console.log(`run ${kind}: exit ${run.code}, peak RSS ${Math.round(run.peakRssKb / 1024)} MB, ${run.seconds.toFixed(1)} s`);
    }, 180_000);
  }
});
