// The checker's stated contract (passes.ts) matches its code: every pass
// named exists in the module named, and every requirement a history check
// can report has a pass that checks it.
import { describe, expect, it } from "vitest";
import { historyRequirements } from "../../src/history/findings.js";
import { historyPasses } from "../../src/history/passes.js";

describe("history checker contract", () => {
  it.each(historyPasses.map((pass) => [pass.name, pass.module] as const))("%s is exported by %s", async (name, module) => {
    const loaded = (await import(`../../src/history/${module.replace(/\.ts$/, ".js")}`)) as Record<string, unknown>;
    expect(typeof loaded[name]).toBe("function");
  });

  it("checks every requirement a history check reports, and LIN-7 as a warning", () => {
    const checked = new Set(historyPasses.flatMap((pass) => pass.checks));
    for (const requirement of [...historyRequirements, "LIN-7"]) expect(checked, requirement).toContain(requirement);
  });
});
