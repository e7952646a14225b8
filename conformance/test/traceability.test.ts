// Every server MUST requirement of spec/protocol.md has a case, and every
// case names a requirement the spec has; what no case checks is explained by
// the spec's section on checks that cannot be made from outside.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { parseRequirements, profileNames, requirementsOf } from "../../spec/index.js";
import type { CheckCase } from "../src/model/case.js";
import { allCases } from "../src/registry.js";
import { loadTraceability, reasonsFromSpec, traceRequirements } from "../src/traceability.js";

const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

describe.each(profileNames)("this suite against spec/protocol.md, %s profile", (profile) => {
  const traceability = loadTraceability(profile);

  test("every server MUST requirement has at least one case", () => {
    expect(traceability.uncheckedMust.map((r) => r.id)).toEqual([]);
  });

  test("every case names a requirement that spec/protocol.md has", () => {
    expect(traceability.unknownRequirements).toEqual([]);
  });

  test("the spec's section 11 explains TOKEN-6, SEC-1 to SEC-3 and the CLIENT requirements", () => {
    const outside = traceability.requirements.filter((t) => t.coverage === "outside").map((t) => t.requirement.id);
    expect(outside).toEqual(expect.arrayContaining(["TOKEN-6", "SEC-1", "SEC-2", "SEC-3", "CLIENT-1", "CLIENT-6"]));
    const tokenSix = traceability.requirements.find((t) => t.requirement.id === "TOKEN-6");
    expect(tokenSix?.reason).toMatch(/cannot be observed by a black-box suite/);
  });

  test("every requirement appears once, in spec order", () => {
    expect(traceability.requirements.map((t) => t.requirement.id)).toEqual(requirementsOf(profile).map((r) => r.id));
  });
});

describe("this suite against spec/protocol.md, seed profile details", () => {
  const traceability = loadTraceability("seed");

  test("every case names the repository file that defines it", () => {
    for (const check of allCases()) expect(readFileSync(join(repositoryRoot, check.file), "utf8"), check.id).toContain("defineCheck(");
    expect(allCases().find((c) => c.id === "SEQ-3/skip-ahead")?.file).toBe("conformance/src/checks/sequence.ts");
  });

  test("a history requirement leads to the checker pass that judges it, in one step", () => {
    const passes = (id: string) => traceability.requirements.find((t) => t.requirement.id === id)?.historyPasses ?? [];
    expect(passes("LIN-4")).toContainEqual({ name: "checkRealTimeOrder", file: "conformance/src/history/real-time.ts" });
    expect(passes("TOKEN-2").map((pass) => pass.name)).toEqual(["checkReplacedTokens"]);
    for (const pass of traceability.requirements.flatMap((t) => t.historyPasses)) {
      expect(readFileSync(join(repositoryRoot, pass.file), "utf8"), pass.file).toContain(`export function ${pass.name}(`);
    }
    expect(passes("SEQ-3")).toEqual([]);
  });

  test("a requirement lists the cases whose steps also check it", () => {
    const also = (id: string) => traceability.requirements.find((t) => t.requirement.id === id)?.alsoCheckedBy.map((c) => c.id) ?? [];
    expect(also("SEQ-7")).toContain("SEQ-3/skip-ahead");
    expect(also("SEQ-4")).toContain("SEQ-3/skip-ahead");
    expect(also("AUTH-1")).toContain("AUTH-5/expiration");
    expect(also("SEQ-3")).not.toContain("SEQ-3/skip-ahead");
  });
});

describe("the computation", () => {
  const spec = [
    "## 1. Things",
    "- **A-1** (MUST) One.",
    "- **A-2** (MUST) Two.",
    "- **A-3** (SHOULD) Three.",
    "- **B-1** (SHOULD) Four.",
    "- **B-2** (SHOULD) Five.",
    "- **CLIENT-1** (MUST) Six.",
    "## 9. Checks that cannot be made from outside",
    "A-3 and B-1 to B-2 cannot be seen from outside. The CLIENT requirements",
    "are checked elsewhere.",
  ].join("\n");
  const requirements = parseRequirements(spec);
  const fakeCase = (id: string, requirement: string, alsoChecks: string[] = []): CheckCase => ({
    id,
    requirement,
    level: "MUST",
    profiles: ["seed", "api3"],
    title: id,
    file: "conformance/test/traceability.test.ts",
    alsoChecks,
    exclusive: false,
    run: async () => undefined,
  });

  test("reasons come from the section's sentences, with ranges and families", () => {
    const reasons = reasonsFromSpec(spec, requirements);
    expect([...reasons.keys()].sort()).toEqual(["A-3", "B-1", "B-2", "CLIENT-1"]);
    expect(reasons.get("B-2")).toBe("A-3 and B-1 to B-2 cannot be seen from outside.");
    expect(reasons.get("CLIENT-1")).toBe("The CLIENT requirements are checked elsewhere.");
  });

  test("an unchecked server MUST and a case naming an unknown requirement are reported", () => {
    const traced = traceRequirements(requirements, [fakeCase("A-1/x", "A-1", ["B-1"]), fakeCase("Z-9/y", "Z-9")], reasonsFromSpec(spec, requirements));
    expect(traced.requirements.find((t) => t.requirement.id === "B-1")?.alsoCheckedBy).toEqual([{ id: "A-1/x", file: "conformance/test/traceability.test.ts" }]);
    expect(traced.uncheckedMust.map((r) => r.id)).toEqual(["A-2"]);
    expect(traced.unknownRequirements).toEqual([{ caseId: "Z-9/y", requirement: "Z-9" }]);
    expect(traced.requirements.map((t) => [t.requirement.id, t.coverage])).toEqual([
      ["A-1", "checked"],
      ["A-2", "unchecked"],
      ["A-3", "outside"],
      ["B-1", "outside"],
      ["B-2", "outside"],
      ["CLIENT-1", "outside"],
    ]);
  });
});
