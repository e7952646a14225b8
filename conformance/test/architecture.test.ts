// The layout the folders promise: no import cycles anywhere in the shipped
// code, and a history checker that stands alone (pure, no I/O), so it can be
// reused on histories recorded by other tools.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { importCycles, readImportGraph } from "./support/import-graph.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const historyCore = "conformance/src/history/";

describe("architecture", () => {
  const graph = readImportGraph(root, ["conformance/src", "reference/src", "spec"]);

  it("reads the whole graph", () => {
    expect(graph.local.size).toBeGreaterThan(80);
    expect(graph.local.get(`${historyCore}checker.ts`)).toContain(`${historyCore}versions.ts`);
  });

  it("has no import cycle in conformance/src, reference/src or spec/, type imports included", () => {
    expect(importCycles(graph)).toEqual([]);
  });

  it("finds a cycle when there is one", () => {
    const cyclic = { root, local: new Map([["a.ts", ["b.ts"]], ["b.ts", ["c.ts"]], ["c.ts", ["a.ts"]], ["d.ts", ["a.ts"]]]), external: new Map() };
    expect(importCycles(cyclic)).toEqual([["a.ts", "b.ts", "c.ts"]]);
  });

  it("points its stages one way: none imports a stage that builds on it", () => {
    // Each stage, and the stages after it. (The walkthrough still borrows from checks/ and run/.)
    const later = {
      "conformance/src/model/": ["checks/", "walkthrough/", "interleavings/", "target/", "run/", "report/", "cli/", "broken/"],
      "conformance/src/checks/": ["run/", "report/", "cli/", "broken/"],
      "conformance/src/interleavings/": ["run/", "report/", "cli/", "broken/"],
      "conformance/src/target/": ["run/", "report/", "cli/"],
      "conformance/src/run/": ["report/", "cli/", "broken/"],
    };
    const backward = Object.entries(later).flatMap(([stage, laterStages]) =>
      [...graph.local.entries()]
        .filter(([module]) => module.startsWith(stage))
        .flatMap(([module, targets]) =>
          targets.filter((target) => laterStages.some((folder) => target.startsWith(`conformance/src/${folder}`))).map((target) => `${module} -> ${target}`),
        ),
    );
    expect(backward).toEqual([]);
  });

  it("keeps the history checker core to its own folder: no package, no node: module, nothing outside", () => {
    const core = [...graph.local.keys()].filter((module) => module.startsWith(historyCore));
    expect(core.length).toBeGreaterThanOrEqual(13);
    const outside = core.flatMap((module) => [
      ...graph.local.get(module)!.filter((target) => !target.startsWith(historyCore)).map((target) => `${module} -> ${target}`),
      ...graph.external.get(module)!.map((target) => `${module} -> ${target}`),
    ]);
    expect(outside).toEqual([]);
  });
});
