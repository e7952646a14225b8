// The traceability matrix: every requirement of spec/protocol.md with the
// cases that check it, or why none does.
import { defaultProfile, specProfile, type ProfileName } from "../../spec/index.js";
import { escapeAttribute, escapeMarkup } from "../../conformance/src/report/markup.js";
import type { Coverage, Traceability, TracedRequirement } from "../../conformance/src/traceability.js";
import { renderInline } from "./markdown.js";

const coverageWord: Record<Coverage, string> = { checked: "checked", outside: "not from outside", unchecked: "NO CASE" };

function row(traced: TracedRequirement): string {
  const { requirement } = traced;
  const cases = traced.cases.map(
    (c) => `<li><code>${escapeMarkup(c.id)}</code> ${escapeMarkup(c.title)} <span class="file">(<code>${escapeMarkup(c.file)}</code>)</span></li>`,
  );
  const also =
    traced.alsoCheckedBy.length > 0
      ? `<p class="also">Also checked by ${traced.alsoCheckedBy.map((c) => `<code title="${escapeAttribute(c.file)}">${escapeMarkup(c.id)}</code>`).join(", ")}.</p>`
      : "";
  const passes =
    traced.historyPasses.length > 0
      ? `<p class="also">Judged in recorded histories by ${traced.historyPasses.map((pass) => `<code>${escapeMarkup(pass.name)}</code> (<code>${escapeMarkup(pass.file)}</code>)`).join(", ")}.</p>`
      : "";
  const detail =
    (traced.cases.length > 0
      ? `<ul class="cases">${cases.join("")}</ul>`
      : escapeMarkup(traced.reason ?? "No case checks it yet, and spec/protocol.md gives no reason why none can.")) +
    passes +
    also;
  return [
    `<tr id="${requirement.id}">`,
    `<td><a href="protocol.html#${requirement.id}">${requirement.id}</a></td>`,
    `<td>${requirement.level}</td>`,
    `<td>${renderInline(requirement.text)}</td>`,
    `<td><span class="coverage ${traced.coverage}">${coverageWord[traced.coverage]}</span></td>`,
    `<td>${detail}</td>`,
    "</tr>",
  ].join("");
}

/** The matrix of one profile: the requirements that bind it and the cases that run in it. */
export function traceabilityBody(traceability: Traceability, profile: ProfileName = defaultProfile): string {
  const all = traceability.requirements;
  const count = (coverage: Coverage) => all.filter((t) => t.coverage === coverage).length;
  const cases = new Set(all.flatMap((t) => t.cases.map((c) => c.id))).size;
  const sections = new Map<string, TracedRequirement[]>();
  for (const traced of all) sections.set(traced.requirement.section, [...(sections.get(traced.requirement.section) ?? []), traced]);
  const tables = [...sections].map(([section, rows]) =>
    [
      `<h2>${escapeMarkup(section)}</h2>`,
      "<table><thead><tr><th>Requirement</th><th>Level</th><th>Text</th><th>Coverage</th><th>Cases, or why none</th></tr></thead>",
      `<tbody>${rows.map(row).join("\n")}</tbody></table>`,
    ].join("\n"),
  );
  const warnings: string[] = [];
  if (traceability.uncheckedMust.length > 0) {
    warnings.push(
      `<p><strong class="coverage unchecked">Server MUST requirements with no case:</strong> ${traceability.uncheckedMust.map((r) => `<a href="#${r.id}">${r.id}</a>`).join(", ")}.</p>`,
    );
  }
  if (traceability.unknownRequirements.length > 0) {
    const named = traceability.unknownRequirements.map((u) => `<code>${escapeMarkup(u.caseId)}</code> (${escapeMarkup(u.requirement)})`);
    warnings.push(`<p><strong class="coverage unchecked">Cases naming requirements the spec does not have:</strong> ${named.join(", ")}.</p>`);
  }
  const protocolFlag = profile === defaultProfile ? "" : ` --protocol ${profile}`;
  return [
    `<h1>Traceability of the ${escapeMarkup(profile)} profile: requirements and the cases that check them</h1>`,
    `<p>The ${escapeMarkup(profile)} profile is ${escapeMarkup(specProfile(profile).title)}. ` +
      `${all.length} requirements of spec/protocol.md bind it: ${count("checked")} checked by ${cases} cases of the conformance suite, ` +
      `${count("outside")} that cannot be checked from outside a server (section 11 of the spec says why), ${count("unchecked")} with no case.` +
      ` Run one requirement's cases with <code>wallet-sync-conformance${protocolFlag} --only ID</code>.</p>`,
    ...warnings,
    ...tables,
  ].join("\n");
}
