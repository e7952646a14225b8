// The command line: flag parsing on its own, and the built program (when
// `npm run build` has produced it) started, queried and stopped.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it, beforeAll } from "vitest";
import { parseCliOptions, UsageError } from "../src/cli-options.js";
import { defaultScryptCost, scryptCostByDefault } from "../src/store/passwords.js";
import { TestClient } from "./helpers.js";
import { builtCli as cli, startCli } from "./support/cli-process.js";
import { freePort } from "../../conformance/test/support/ports.js";

describe("parseCliOptions", () => {
  it("defaults to 127.0.0.1:8090", () => {
    expect(parseCliOptions([])).toEqual({ protocol: "seed", host: "127.0.0.1", port: 8090, store: { kind: "memory" }, help: false });
  });

  it("reads --protocol seed or api3, in both spellings", () => {
    expect(parseCliOptions(["--protocol", "api3"]).protocol).toBe("api3");
    expect(parseCliOptions(["--protocol=seed"]).protocol).toBe("seed");
    expect(parseCliOptions(["--protocol", "api3", "--store", "memory"], { DATABASE_URL: "" }).store).toEqual({ kind: "memory" });
  });

  it("reads --protocol api3 over a database, named by --store or DATABASE_URL", () => {
    const url = "postgres://app:secret@db.example:5432/wallets";
    expect(parseCliOptions(["--protocol", "api3", "--store", url]).store).toEqual({ kind: "postgres", url });
    expect(parseCliOptions(["--protocol", "api3"], { DATABASE_URL: url }).store).toEqual({ kind: "postgres", url });
    expect(parseCliOptions(["--protocol", "api3", "--store", "memory"], { DATABASE_URL: url }).store).toEqual({ kind: "memory" });
  });

  it("reads --store memory or a postgres:// URL, and DATABASE_URL when --store is not given", () => {
    const url = "postgres://app:secret@db.example:5432/wallets";
    expect(parseCliOptions(["--store", "memory"]).store).toEqual({ kind: "memory" });
    expect(parseCliOptions([`--store=${url}`]).store).toEqual({ kind: "postgres", url });
    expect(parseCliOptions(["--store", "postgresql://h/db"]).store).toEqual({ kind: "postgres", url: "postgresql://h/db" });
    expect(parseCliOptions([], { DATABASE_URL: url }).store).toEqual({ kind: "postgres", url });
    expect(parseCliOptions([], { DATABASE_URL: "" }).store).toEqual({ kind: "memory" });
    expect(parseCliOptions(["--store", "memory"], { DATABASE_URL: url }).store).toEqual({ kind: "memory" });
  });

  it("refuses a --store or DATABASE_URL that is not a postgres:// URL, naming it without its password", () => {
    expect(() => parseCliOptions(["--store", "mysql://root:secret@h/db"])).toThrow(
      new UsageError("--store must be 'memory' or a postgres:// URL, got 'mysql://root:***@h/db'"),
    );
    expect(() => parseCliOptions([], { DATABASE_URL: "wallets.db" })).toThrow(/^DATABASE_URL must be/);
    expect(() => parseCliOptions(["--store", "postgres://"])).toThrow(UsageError);
  });

  it("takes WALLET_SYNC_SCRYPT_COST, a power of two above 1, as the password hash's cost of servers made without one", () => {
    expect(scryptCostByDefault({})).toBe(defaultScryptCost);
    expect(scryptCostByDefault({ WALLET_SYNC_SCRYPT_COST: "1024" })).toBe(1024);
    for (const wrong of ["3", "1", "abc", "1024.5"]) {
      expect(() => parseCliOptions([], { WALLET_SYNC_SCRYPT_COST: wrong })).toThrow(new UsageError(`WALLET_SYNC_SCRYPT_COST must be a power of two above 1, got ${wrong}`));
    }
  });

  it("reads --port and --host, in both spellings, and --help", () => {
    expect(parseCliOptions(["--port", "0", "--host", "::1"])).toMatchObject({ host: "::1", port: 0, help: false });
    expect(parseCliOptions(["--port=65535", "--host=0.0.0.0"])).toMatchObject({ host: "0.0.0.0", port: 65535, help: false });
    expect(parseCliOptions(["-h"]).help).toBe(true);
    expect(parseCliOptions(["--help"]).help).toBe(true);
  });

  const mistakes: string[][] = [
    ["--port", "abc"],
    ["--port", "65536"],
    ["--port", "-1"],
    ["--port="],
    ["--port", "1.5"],
    ["--port", " 80"],
    ["--port"],
    ["--host", ""],
    ["--host", "a b"],
    ["--bogus"],
    ["extra"],
    ["--help=yes"],
    ["--store"],
    ["--store", "sqlite:wallets.db"],
    ["--protocol", "api4"],
    ["--protocol", ""],
    ["--protocol"],
  ];
  for (const argv of mistakes) {
    it(`refuses ${JSON.stringify(argv)} with a one-line message`, () => {
      let caught: unknown;
      try {
        parseCliOptions(argv);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(UsageError);
      expect((caught as Error).message).not.toContain("\n");
    });
  }
});

describe("the built wallet-sync-reference program", () => {
  beforeAll(() => {
    // npm test builds first; a bare vitest run needs `npm run build`.
    if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first`);
  });

  it("prints its address first, serves, and exits 0 on SIGTERM", async () => {
    const program = await startCli(["--port", "0"]);
    expect(program.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const reply = await new TestClient(program.url).get("/wallet");
    expect(reply.status).toBe(400);
    expect(await program.stop()).toBe(0);
  });

  it("exits 2 with one line on stderr, naming the database without its password, when --store cannot be reached", async () => {
    const url = `postgres://app:secret@127.0.0.1:${await freePort()}/wallets`;
    for (const args of [["--store", url], []]) {
      const run = spawnSync(process.execPath, [cli, "--port", "0", ...args], { encoding: "utf8", env: { ...process.env, DATABASE_URL: url }, timeout: 30_000 });
      expect(run.status).toBe(2);
      expect(run.stdout).toBe("");
      expect(run.stderr.trim().split("\n")).toHaveLength(1);
      expect(run.stderr).toMatch(/^wallet-sync-reference: cannot use the database postgres:\/\/app:\*\*\*@127\.0\.0\.1:\d+\/wallets: .*ECONNREFUSED/);
    }
  });

  it("serves the api3 protocol with --protocol api3", async () => {
    const program = await startCli(["--port", "0", "--protocol", "api3"]);
    const client = new TestClient(program.url);
    expect((await client.get("/api/3/wallet")).status).toBe(400);
    expect((await client.get("/wallet")).status).toBe(404);
    expect(await program.stop()).toBe(0);
  });

  it("exits 2 with one line on stderr for a bad flag, and 0 for --help", () => {
    for (const args of [["--port", "nope"], ["--store", "sqlite:wallets.db"], ["--protocol", "api4"]]) {
      const bad = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });
      expect(bad.status).toBe(2);
      expect(bad.stderr.trim().split("\n")).toHaveLength(1);
      expect(bad.stdout).toBe("");
    }
    const help = spawnSync(process.execPath, [cli, "--help"], { encoding: "utf8" });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("Usage: wallet-sync-reference");
    expect(help.stdout).toContain("--store STORE");
    expect(help.stdout).toContain("DATABASE_URL");
    expect(help.stdout).toContain("--protocol P");
  });
});
