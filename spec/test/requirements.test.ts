import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { loadRequirements, parseRequirements, specFiles } from "../index.js";

describe("the requirements of spec/protocol.md", () => {
  const requirements = loadRequirements();

  test("every bold ID line parses, with a level and one sentence", () => {
    const idLines = readFileSync(specFiles.protocol, "utf8")
      .split("\n")
      .filter((line) => /^- \*\*[A-Z]+-\d+\*\*/.test(line));
    expect(requirements).toHaveLength(idLines.length);
    for (const requirement of requirements) {
      expect(requirement.text, requirement.id).toMatch(/^[A-Z`].*\.$/);
      expect(requirement.text.replace(/`[^`]*`/g, "").replace(/\be\.g\./g, "").split(/\.\s/), requirement.id).toHaveLength(1);
    }
  });

  test("IDs are unique and numbered without gaps within each prefix", () => {
    const ids = requirements.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    const byPrefix = new Map<string, number[]>();
    for (const id of ids) {
      const [prefix, number] = id.split("-") as [string, string];
      byPrefix.set(prefix, [...(byPrefix.get(prefix) ?? []), Number(number)]);
    }
    for (const [prefix, numbers] of byPrefix) {
      expect(numbers, prefix).toEqual(numbers.map((_, index) => index + 1));
    }
  });

  test("client requirements are told apart from server requirements", () => {
    const parsed = parseRequirements("## 9. Clients\n- **CLIENT-1** (MUST) A client does this.\n- **SEQ-1** (SHOULD) A server does that.\n");
    expect(parsed).toEqual([
      { id: "CLIENT-1", level: "MUST", text: "A client does this.", party: "client", section: "9. Clients" },
      { id: "SEQ-1", level: "SHOULD", text: "A server does that.", party: "server", section: "9. Clients" },
    ]);
  });
});
