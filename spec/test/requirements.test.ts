import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { loadRequirements, parseRequirements, requirementsOf, specFiles } from "../index.js";

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
      { id: "CLIENT-1", level: "MUST", text: "A client does this.", party: "client", section: "9. Clients", profiles: ["seed", "api3"] },
      { id: "SEQ-1", level: "SHOULD", text: "A server does that.", party: "server", section: "9. Clients", profiles: ["seed", "api3"] },
    ]);
  });
});

describe("profiles of requirements", () => {
  test("a level may name the profiles a requirement binds; without a name it binds every profile", () => {
    const parsed = parseRequirements(
      "## 6. Rules\n- **SEQ-4** (MUST; seed) A server does this.\n- **PASS-1** (MUST; api3) A server does that.\n- **SEQ-1** (MUST) Both do.\n",
    );
    expect(parsed.map((r) => [r.id, r.profiles])).toEqual([
      ["SEQ-4", ["seed"]],
      ["PASS-1", ["api3"]],
      ["SEQ-1", ["seed", "api3"]],
    ]);
  });

  test("an unknown profile name is refused", () => {
    expect(() => parseRequirements("- **SEQ-1** (MUST; api9) A server does this.\n")).toThrow(/unknown profile "api9"/);
  });

  test("the seed-only and api3-only requirements are the ones the profiles differ in", () => {
    const only = (profile: "seed" | "api3") =>
      loadRequirements()
        .filter((r) => r.profiles.length === 1 && r.profiles[0] === profile)
        .map((r) => r.id);
    expect(only("seed")).toEqual(["SEQ-4", "SEQ-7", "CLIENT-3"]);
    expect(only("api3")).toEqual(expect.arrayContaining(["SALT-1", "PASS-1", "PASS-2", "NOTIFY-1", "NOTIFY-4", "VAL-5", "CLIENT-7"]));
    expect(requirementsOf("seed").some((r) => r.id === "PASS-1")).toBe(false);
  });
});
