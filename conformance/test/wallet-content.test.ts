// The cases of what a server keeps whole (SEQ-8, HTTP-7): a changed string is
// reported at its first differing character, a server that refuses bodies
// of 100,000 bytes is warned, the bodies are the size they claim, and the
// reference keeps every string whole over PostgreSQL too (NUL included).
import { describe, expect, test } from "vitest";
import { profileNames } from "../../spec/index.js";
import { startReferenceServer } from "../../reference/src/index.js";
import { describeWithPostgres } from "../../reference/test/support/postgres-tests.js";
import { walletPostBody } from "../src/client/protocol-client.js";
import { brokenServers } from "../src/broken/servers.js";
import { recommendedBodyBytes, walletPostOfSize } from "../src/checks/wallet-content.js";
import { walletDifference } from "../src/checks/support/steps.js";
import { firstDifference } from "../src/history/text-difference.js";
import { casesOf } from "../src/registry.js";
import { runChecks } from "../src/run/run-checks.js";

const contentCase = "SEQ-8/opaque-strings";
const sizeCase = "HTTP-7/100000-byte-body";

describe("the first differing character", () => {
  test("names the character, counted from 1 in code points, with both code points", () => {
    expect(firstDifference("same", "same")).toBeUndefined();
    expect(firstDifference("ünï", "?n?")).toBe("character 1: sent U+00FC, returned U+003F");
    // An emoji is one character, though two UTF-16 code units.
    expect(firstDifference("😀é", "😀e")).toBe("character 2: sent U+00E9, returned U+0065");
    expect(firstDifference("ab\u0000", "ab")).toBe("character 3: sent U+0000, returned nothing (the string returned ends there, 3 characters were sent)");
    expect(firstDifference("ab", "ab\u2028")).toBe("character 3: sent nothing (the string sent ends there), returned U+2028");
  });

  test("a wallet names its first differing field", () => {
    const sent = { encryptedWallet: "w", sequence: 128, hmac: "h" };
    expect(walletDifference(sent, { ...sent, hmac: "H" })).toBe("hmac, character 1: sent U+0068, returned U+0048");
    expect(walletDifference(sent, { ...sent, sequence: 127 })).toBe("sequence 127, not 128");
    expect(walletDifference(sent, sent)).toBeUndefined();
  });
});

test.each(profileNames)("%s: a body of exactly 100,000 bytes", (profile) => {
  const body = walletPostBody(profile, walletPostOfSize(profile, "a".repeat(64), 2, recommendedBodyBytes));
  expect(Buffer.byteLength(JSON.stringify(body))).toBe(recommendedBodyBytes);
});

describe("servers that change wallets fail SEQ-8 at the first differing character", () => {
  test.each([
    ["mangles-non-ascii", /carries a different wallet: encryptedWallet, character 1: sent U\+00FC, returned U\+003F/],
    ["cuts-wallets-at-64-kib", /carries a different wallet: encryptedWallet, character 65,537: sent U\+[0-9A-F]{4}, returned nothing/],
  ])("%s", async (name, message) => {
    const server = await brokenServers[name]!.start({ scryptCost: 64 });
    try {
      const run = await runChecks(casesOf("seed").filter((c) => c.id === contentCase), { baseUrl: server.url });
      const findings = run.results.flatMap((r) => r.findings);
      expect(findings.map((f) => f.requirement)).toContain("SEQ-8");
      expect(findings.map((f) => f.message)).toContainEqual(expect.stringMatching(message));
      // A 99,000-character wallet is shown in part: the message says where it differs.
      for (const finding of findings) expect(finding.expected?.length ?? 0).toBeLessThan(1_000);
    } finally {
      await server.close();
    }
  });
});

test.each(profileNames)("%s: a server that accepts only 64 KiB is warned under HTTP-7, and its 413 changed nothing", async (profile) => {
  const server = await startReferenceServer({ protocol: profile, scryptCost: 64, bodyLimitBytes: 64 * 1024 });
  try {
    const run = await runChecks(casesOf(profile).filter((c) => c.id === sizeCase || c.id === contentCase), { profile, baseUrl: server.url });
    const size = run.results.find((r) => r.id === sizeCase);
    expect(size?.verdict).toBe("warned");
    expect(size?.findings.map((f) => [f.requirement, f.level])).toEqual([["HTTP-7", "SHOULD"]]);
    expect(size?.findings[0]?.message).toMatch(/a POST \/wallet of 100,000 bytes: answered 413, expected 200/);
    // The 99,000-character wallet is refused too: SEQ-8 asks only that what is accepted be kept.
    expect(run.results.find((r) => r.id === contentCase)?.verdict).toBe("passed");
  } finally {
    await server.close();
  }
});

// The PostgreSQL store serves the seed profile.
describeWithPostgres("the reference over PostgreSQL", (postgres) => {
  test("keeps every wallet string, NUL included, and a 100,000-byte body whole", async () => {
    const server = await startReferenceServer({ scryptCost: 64, databaseUrl: await postgres().createDatabase() });
    try {
      const run = await runChecks(casesOf("seed").filter((c) => c.id === sizeCase || c.id === contentCase), { baseUrl: server.url });
      const outcomes = run.results.map((r) => [r.id, r.verdict, r.findings.map((f) => f.message)]);
      expect(outcomes.sort()).toEqual([[sizeCase, "passed", []], [contentCase, "passed", []]].sort());
    } finally {
      await server.close();
    }
  }, 60_000);
});
