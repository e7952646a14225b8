// The HTML of an interleaving property's evidence: the replay facts, a
// timeline picture per panel and, next to each, its violations in words with
// the operations they name (hovering one highlights its bars).
import type { InterleavingEvidence } from "../../model/result.js";
import { describeReplay, describeViolation, narratorFor, operationDescriber } from "../../interleavings/property/history-text.js";
import { escapeMarkup } from "../markup.js";
import { defaultTimelineLimits, planTimeline, type NumberedViolation, type TimelineLimits } from "./timeline-plan.js";
import { renderTimelineSvg } from "./timeline-svg.js";

const legend = [
  '<p class="legend">',
  '<span class="swatch ok"></span> answered with success',
  '<span class="swatch refused"></span> refused (4xx)',
  '<span class="swatch indeterminate"></span> no settling answer (timeout, lost connection, 5xx)',
  '<span class="swatch server-error"></span> of them, a 5xx',
  '<span class="swatch hl"></span> named by a violation (#n: its number below)',
  '<span class="fault-mark">⚡</span> a fault the suite injected (--faults; the fault in the tooltip)',
  "a socket: its upgrade, then a line while open, a dot per frame received, × closed by the server, ⌁ dropped, | still open at the end",
  '<span class="swatch crash"></span> the server killed (crash) or answering again (restart)',
  "</p>",
].join(" ");

function violationList(entries: readonly NumberedViolation[], describeOperations: (ids: readonly number[]) => string[]): string {
  const items = entries.map(({ number, violation }) => {
    const operations = describeOperations(violation.operations)
      .map((line) => `<li>${escapeMarkup(line)}</li>`)
      .join("");
    return [
      `<li class="violation" value="${number}" data-ops="${violation.operations.join(" ")}">`,
      `<p><span class="violation-number">#${number}</span> ${escapeMarkup(describeViolation(violation))}</p>`,
      `<ul class="operations">${operations}</ul>`,
      "</li>",
    ].join("");
  });
  return `<ol class="violations">${items.join("\n")}</ol>`;
}

export function renderInterleaving(evidence: InterleavingEvidence, idPrefix: string, limits: TimelineLimits = defaultTimelineLimits): string {
  const { history, violations } = evidence;
  const narrator = narratorFor(history);
  const describeOperations = operationDescriber(history);
  const out = [`<p class="replay">History: ${escapeMarkup(describeReplay(evidence))}.</p>`];
  const counterexample = evidence.counterexample;
  if (counterexample && counterexample.replayCommands.length > 0) {
    out.push("<h5>Run it again</h5>", `<pre class="replay-commands">${escapeMarkup(counterexample.replayCommands.join("\n"))}</pre>`);
  }
  if (counterexample && counterexample.workload.length > 0) {
    out.push(
      `<details class="workload"><summary>The workload (${counterexample.workload.length} lines)</summary>`,
      `<pre>${escapeMarkup(counterexample.workload.join("\n"))}</pre>`,
      "</details>",
    );
  }
  if (violations.length === 0) return out.join("\n");

  const plan = planTimeline(history, violations, limits);
  out.push(legend);
  plan.panels.forEach((panel, index) => {
    const shown =
      panel.operations.length < panel.totalOperations
        ? `the ${panel.operations.length} operations around the contradicting ones, of ${panel.totalOperations}`
        : `all ${panel.totalOperations} operations`;
    const accounts = `account${panel.accounts.length === 1 ? "" : "s"} ${panel.accounts.join(", ")}`;
    const whole = history.operations.length;
    const rest = panel.totalOperations < whole ? ` (the history has ${whole} operations; only accounts with violations are drawn)` : "";
    out.push(
      `<figure class="interleaving">`,
      `<figcaption>${escapeMarkup(`Timeline of ${accounts}: ${shown}${rest}. Hover a bar for its request, answer and times; hover a violation to pick out its operations.`)}</figcaption>`,
      `<div class="timeline-scroll">${renderTimelineSvg(panel, { idPrefix: `${idPrefix}-timeline-${index}`, narrator })}</div>`,
      violationList(panel.violations, describeOperations),
      "</figure>",
    );
  });
  if (plan.undrawn.length > 0) {
    out.push(
      `<p>${plan.undrawn.length} more violation${plan.undrawn.length === 1 ? "" : "s"}, in accounts not drawn (only ${limits.maxPanels} timelines per property):</p>`,
      violationList(plan.undrawn, describeOperations),
    );
  }
  return out.join("\n");
}
