// Every failing exchange in every report carries a curl command line that
// repeats it, with the headers given by --header redacted; run by hand (here:
// by bash, with the redacted value put back) it sends the same request again.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { ReferenceServer } from "../../reference/src/index.js";
import { brokenServers } from "../src/broken/servers.js";
import { runCli } from "../src/cli/main.js";

let broken: ReferenceServer;
let dir: string;
const secret = "curl-test-secret-77";

beforeAll(async () => {
  broken = await brokenServers["accepts-skipped-sequence"]!.start({ scryptCost: 64 });
  dir = mkdtempSync(join(tmpdir(), "wallet-sync-curl-"));
});
afterAll(async () => {
  await broken.close();
  rmSync(dir, { recursive: true, force: true });
});

test("findings carry curl lines in every report, the header redacted, and the line repeats the exchange", async () => {
  const out = { stdout: "", stderr: "" };
  const output = { stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t) };
  const files = { json: join(dir, "r.json"), junit: join(dir, "r.xml"), html: join(dir, "r.html") };
  const args = ["--url", broken.url, "--only", "SEQ-3/skip-ahead", "--header", `X-Api-Key: ${secret}`, "--quiet"];
  const result = await runCli([...args, "--json", files.json, "--junit", files.junit, "--html", files.html], output);
  expect(result.exitCode).toBe(1);

  const finding = result.run!.results[0]!.findings.find((f) => f.exchanges.length > 0)!;
  expect(finding.curl?.length).toBe(Math.min(finding.exchanges.length, 3));
  const command = finding.curl![0]!;
  expect(command).toMatch(/^curl -sS -i -X POST '.*\/wallet' /);
  expect(command).toContain("'X-Api-Key: <redacted>'");

  const reports = [out.stdout, readFileSync(files.json, "utf8"), readFileSync(files.junit, "utf8"), readFileSync(files.html, "utf8")];
  for (const text of reports) {
    expect(text).toContain("curl -sS -i");
    expect(text).not.toContain(secret);
  }

  // Run by hand, it reaches the same route with the same body: the skipped-ahead
  // sequence 3 is stored now, so the server answers with it.
  const { stdout } = await promisify(execFile)("bash", ["-c", command.replace("<redacted>", secret)], { timeout: 10_000 });
  expect(stdout).toMatch(/^HTTP\/1.1 (200|409) /);
  expect(stdout).toContain('"sequence":3');
}, 60_000);
