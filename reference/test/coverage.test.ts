// Every server requirement of spec/protocol.md that can be checked here is
// named in the title of at least one test of the reference server.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadRequirements } from "../../spec/index.js";

/** Requirements about deployment, which no test of the server can check. */
const notTestedHere = new Map([["SEC-3", "TLS and access logs are a matter of deployment"]]);

function testTitles(): string[] {
  const dir = new URL("./", import.meta.url);
  const titles: string[] = [];
  for (const file of readdirSync(dir).filter((name) => name.endsWith(".test.ts"))) {
    const source = readFileSync(new URL(file, dir), "utf8");
    for (const match of source.matchAll(/\b(?:it|describe)(?:\.\w+)?\(\s*(["`])((?:(?!\1).)*)\1/g)) titles.push(match[2] ?? "");
  }
  return titles;
}

describe("requirement coverage", () => {
  it("names every applicable server requirement of protocol.md in a test title", () => {
    const titles = testTitles().join("\n");
    const missing = loadRequirements()
      .filter((r) => r.party === "server" && !notTestedHere.has(r.id))
      .map((r) => r.id)
      .filter((id) => !new RegExp(`\\b${id}\\b`).test(titles));
    expect(missing).toEqual([]);
  });
});
