// From each requirement of spec/protocol.md to the cases that check it, and
// for those no case checks, why: in the words of the spec's section on
// checks that cannot be made from outside. The docs' traceability page and
// the test that keeps the suite complete both read it from here.
import { readFileSync } from "node:fs";
import { loadRequirements, requirementsOf, specFiles, type ProfileName, type Requirement } from "../../spec/index.js";
import { historyPasses } from "./history/passes.js";
import type { CheckCase } from "./model/case.js";
import { casesOf } from "./registry.js";

/** checked: cases check it; outside: the spec says it cannot be checked from outside; unchecked: neither. */
export type Coverage = "checked" | "outside" | "unchecked";

export interface TracedRequirement {
  requirement: Requirement;
  cases: Array<Pick<CheckCase, "id" | "title" | "file">>;
  /** Cases of other requirements whose steps also report this one (a login step reports AUTH-1). */
  alsoCheckedBy: Array<Pick<CheckCase, "id" | "file">>;
  /** The history checker's passes that judge it in recorded histories, with their modules. */
  historyPasses: Array<{ name: string; file: string }>;
  coverage: Coverage;
  /** Why no case checks it (coverage "outside"): the spec's own sentences. */
  reason?: string;
}

export interface Traceability {
  requirements: TracedRequirement[];
  /** Cases that name a requirement spec/protocol.md does not have. */
  unknownRequirements: Array<{ caseId: string; requirement: string }>;
  /** Server MUST requirements that no case checks: the suite is incomplete without them. */
  uncheckedMust: Requirement[];
}

const outsideHeading = /cannot be (made|checked|observed) from outside/i;

/** The text of the protocol.md section that names the requirements no black-box suite can check. */
export function outsideSection(markdown: string): string {
  const sections = markdown.split(/^## /m);
  const section = sections.find((text) => outsideHeading.test(text.split("\n")[0] ?? ""));
  if (!section) throw new Error("spec/protocol.md has no section on checks that cannot be made from outside");
  return section.slice(section.indexOf("\n") + 1);
}

/**
 * Requirement id -> the sentences of that section that name it. A sentence
 * names requirements by ID ("TOKEN-6"), by range ("SEC-1 to SEC-3") or by
 * family ("The CLIENT requirements").
 */
export function reasonsFromSpec(markdown: string, requirements: readonly Requirement[]): Map<string, string> {
  const text = outsideSection(markdown).replace(/\s+/g, " ").trim();
  const sentences = text.split(/(?<=\.)\s+(?=[A-Z])/);
  const reasons = new Map<string, string[]>();
  const name = (id: string, sentence: string) => {
    if (!requirements.some((r) => r.id === id)) return;
    const said = reasons.get(id) ?? [];
    if (!said.includes(sentence)) said.push(sentence);
    reasons.set(id, said);
  };
  for (const sentence of sentences) {
    for (const match of sentence.matchAll(/\b([A-Z]+)-(\d+)(?:\s+to\s+\1-(\d+))?/g)) {
      const [, family, from, to] = match as unknown as [string, string, string, string | undefined];
      for (let n = Number(from); n <= Number(to ?? from); n++) name(`${family}-${n}`, sentence);
    }
    for (const match of sentence.matchAll(/\bthe ([A-Z]+) requirements\b/gi)) {
      const family = (match[1] as string).toUpperCase();
      for (const requirement of requirements) if (requirement.id.startsWith(`${family}-`)) name(requirement.id, sentence);
    }
  }
  return new Map([...reasons].map(([id, said]) => [id, said.join(" ")]));
}

export function traceRequirements(
  requirements: readonly Requirement[],
  cases: readonly CheckCase[],
  reasons: ReadonlyMap<string, string>,
): Traceability {
  const known = new Set(requirements.map((r) => r.id));
  const traced = requirements.map((requirement): TracedRequirement => {
    const checking = cases.filter((c) => c.requirement === requirement.id).map(({ id, title, file }) => ({ id, title, file }));
    const alsoCheckedBy = cases.filter((c) => c.alsoChecks.includes(requirement.id)).map(({ id, file }) => ({ id, file }));
    const passes = passesChecking(requirement.id);
    const found = { requirement, alsoCheckedBy, historyPasses: passes };
    if (checking.length > 0) return { ...found, cases: checking, coverage: "checked" };
    const reason = reasons.get(requirement.id);
    return reason !== undefined ? { ...found, cases: [], coverage: "outside", reason } : { ...found, cases: [], coverage: "unchecked" };
  });
  return {
    requirements: traced,
    unknownRequirements: cases.filter((c) => !known.has(c.requirement)).map((c) => ({ caseId: c.id, requirement: c.requirement })),
    uncheckedMust: traced
      .filter((t) => t.cases.length === 0 && t.requirement.level === "MUST" && t.requirement.party === "server")
      .map((t) => t.requirement),
  };
}

const historyFolder = "conformance/src/history";

function passesChecking(requirement: string): TracedRequirement["historyPasses"] {
  return historyPasses
    .filter((pass) => (pass.checks as readonly string[]).includes(requirement))
    .map((pass) => ({ name: pass.name, file: `${historyFolder}/${pass.module}` }));
}

/** The traceability of this suite in one profile: the requirements that bind it against the cases that run in it. */
export function loadTraceability(profile: ProfileName): Traceability {
  const reasons = reasonsFromSpec(readFileSync(specFiles.protocol, "utf8"), loadRequirements());
  return traceRequirements(requirementsOf(profile), casesOf(profile), reasons);
}
