// --protocol on the command line: which cases a profile runs, how a URL is
// taken, and the api3 server the suite cannot check (e-mail verification).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runCli } from "../src/cli/main.js";
import { captured } from "./support/captured-output.js";

describe("--protocol", () => {
  test("an unknown profile is a usage error naming the profiles", async () => {
    const { out, output } = captured();
    const result = await runCli(["--protocol", "api9"], output);
    expect(result.exitCode).toBe(2);
    expect(out.stderr).toBe("wallet-sync-conformance: --protocol must be one of seed, api3, got 'api9' (see --help)\n");
  });

  test("--list shows the cases of the profile: the seed-only rules are not in api3, the api3-only ones not in seed", async () => {
    const list = async (profile: string) => {
      const { out, output } = captured();
      expect((await runCli(["--protocol", profile, "--list"], output)).exitCode).toBe(0);
      return out.stdout.split("\n").filter(Boolean).map((line) => line.split(" ")[0] ?? "");
    };
    const seed = await list("seed");
    const api3 = await list("api3");
    expect(seed.some((id) => id.startsWith("SEQ-7/"))).toBe(true);
    expect(api3.some((id) => id.startsWith("SEQ-7/"))).toBe(false);
    expect(seed.some((id) => id.startsWith("PASS-"))).toBe(false);
    // A shared rule keeps one case, in both lists.
    expect(seed).toContain("SEQ-3/skip-ahead");
    expect(api3).toContain("SEQ-3/skip-ahead");
  });

  test("a run names only requirements of its profile as having no check", async () => {
    const unchecked = async (profile: string) => {
      const { out, output } = captured();
      expect((await runCli(["--protocol", profile, "--only", "SYNC-1"], output)).exitCode).toBe(0);
      return (/^No check in this suite for: (.*)$/m.exec(out.stdout)?.[1] ?? "").split(", ");
    };
    // TOKEN-6 binds both and no black-box case can check it; SEQ-4 and SEQ-7 bind only the seed profile, SALT-1 only api3.
    const api3 = await unchecked("api3");
    expect(api3).toContain("TOKEN-6");
    expect(api3).not.toContain("SEQ-4");
    expect(api3).not.toContain("SEQ-7");
    const seed = await unchecked("seed");
    expect(seed).toContain("TOKEN-6");
    expect(seed).not.toContain("SALT-1");
  });

  test("--help names both profiles", async () => {
    const { out, output } = captured();
    await runCli(["--help"], output);
    expect(out.stdout).toMatch(/--protocol NAME +seed: .*\(default\)/);
    expect(out.stdout).toMatch(/^ +api3: .*\/api\/3/m);
  });
});

describe("an api3 server that verifies signups by e-mail", () => {
  let server: Server;
  let url: string;
  const requests: string[] = [];
  beforeAll(async () => {
    // Answers every signup as a server with e-mail verification on does, and anything else 404.
    server = createServer((request, response) => {
      requests.push(`${request.method} ${request.url}`);
      request.resume();
      const signup = request.method === "POST" && request.url === "/api/3/signup";
      response.writeHead(signup ? 201 : 404, { "content-type": "application/json" });
      response.end(signup ? '{"verified":false}' : '{"error":"Not Found"}');
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test("stops the run with exit 2 and one line saying what the server must allow", async () => {
    const { out, output } = captured();
    // The URL ends with the profile's prefix: it is taken as the server's root, with a note.
    const result = await runCli(["--protocol", "api3", "--url", `${url}/api/3`], output);
    expect(result.exitCode).toBe(2);
    expect(result.run).toBeUndefined();
    const lines = out.stderr.trimEnd().split("\n");
    expect(lines).toEqual([
      `wallet-sync-conformance: --url ${url}/api/3 ends with the api3 profile's prefix; checking ${url} as the server's root`,
      'wallet-sync-conformance: a signup was answered "verified": false: the suite needs a server that verifies every signup at once (the original: ACCOUNT_VERIFICATION_MODE=AllowAll)',
    ]);
    expect(requests.filter((r) => r.startsWith("POST"))).toEqual(["POST /api/3/signup"]);
  });
});
