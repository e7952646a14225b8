// The HTML report's inline style and script: the page loads nothing else.

export const reportStyle = `
:root { --ok: #3f9a63; --refused: #e39b2d; --indeterminate: #b9bec4; --hl: #d7263d; --fail: #c62828; --warn: #b7791f; --pass: #2e7d32;
  --fg: #1d2329; --muted: #5f6b76; --rule: #d9dee3; --bg-soft: #f5f7f9; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); margin: 0 auto; padding: 1.5em 2em 4em; max-width: 1400px; }
h1 { font-size: 1.5em; margin: 0 0 .3em; }
h2 { font-size: 1.2em; margin: 2em 0 .6em; border-bottom: 1px solid var(--rule); padding-bottom: .2em; }
h3 { font-size: 1.05em; margin: 0 0 .4em; }
h4 { font-size: .95em; margin: 1em 0 .3em; }
h5 { font-size: .8em; margin: 0 0 .2em; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
code, pre { font: 12.5px/1.4 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
pre { background: var(--bg-soft); border: 1px solid var(--rule); border-radius: 4px; padding: .5em .7em; margin: 0;
  white-space: pre-wrap; overflow-wrap: anywhere; max-height: 24em; overflow: auto; }
.banner { padding: .8em 1em; border-radius: 6px; color: #fff; margin: 0 0 1em; }
.banner.conforms { background: var(--pass); }
.banner.fails { background: var(--fail); }
.banner.incomplete { background: var(--warn); }
.banner p { margin: .2em 0 0; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: .1em 1.2em; margin: 0; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .25em .6em; border-bottom: 1px solid var(--rule); }
th { font-weight: 600; color: var(--muted); }
.verdict { font-weight: 700; white-space: nowrap; }
.verdict.failed { color: var(--fail); }
.verdict.warned { color: var(--warn); }
.verdict.passed { color: var(--pass); }
.verdict.expected-failure, .verdict.stale-baseline, .verdict.blocked, .verdict.not-exercised { color: var(--muted); }
.case { border: 1px solid var(--rule); border-left: 5px solid var(--fail); border-radius: 4px; padding: .8em 1em; margin: 0 0 1.2em; }
.case.warned { border-left-color: var(--warn); }
.case.expected-failure, .case.stale-baseline { border-left-color: var(--muted); }
.case .baseline { color: var(--muted); font-style: italic; }
.finding { margin: .6em 0 1em; }
.finding .message { font-weight: 600; margin: 0 0 .3em; }
.finding dl { display: grid; grid-template-columns: max-content 1fr; gap: .1em 1em; margin: 0 0 .5em; }
.finding dt { color: var(--muted); }
.finding dd { margin: 0; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12.5px; overflow-wrap: anywhere; white-space: pre-wrap; }
.exchange { display: grid; grid-template-columns: 1fr 1fr; gap: .6em; margin: .4em 0; }
.transport-failure { color: var(--fail); }
details > summary { cursor: pointer; color: var(--muted); margin: .4em 0; }
.legend { color: var(--muted); font-size: .9em; }
.swatch { display: inline-block; width: 1.6em; height: .9em; border-radius: 2px; vertical-align: middle; margin-left: .8em; }
.swatch.ok { background: var(--ok); }
.swatch.refused { background: var(--refused); }
.swatch.indeterminate { background: var(--indeterminate); border: 1px dashed #555; }
.swatch.server-error { background: var(--indeterminate); border: 2px solid var(--fail); }
.swatch.hl { border: 2.5px solid var(--hl); }
figure.interleaving { margin: 1em 0 1.5em; }
figcaption { color: var(--muted); margin: 0 0 .4em; }
.timeline-scroll { overflow-x: auto; border: 1px solid var(--rule); border-radius: 4px; }
svg.timeline { display: block; font: 11px ui-monospace, Menlo, Consolas, monospace; }
svg.throughput { display: block; font: 10px ui-monospace, Menlo, Consolas, monospace; }
svg.throughput .axis { stroke: #aab3bc; }
svg.throughput .tick-label { fill: var(--muted); }
svg.throughput polyline { fill: none; stroke-width: 1.5; }
svg.throughput .all { stroke: var(--fg); }
svg.throughput .long-lived { stroke: var(--ok); stroke-dasharray: 4 2; }
svg.timeline .lane { fill: #fafbfc; stroke: #eef0f2; }
svg.timeline .account { font-weight: 700; fill: var(--fg); }
svg.timeline .account-rule { stroke: #aab3bc; }
svg.timeline .client, svg.timeline .axis-label, svg.timeline .tick-label { fill: var(--muted); }
svg.timeline .tick { stroke: #e3e7eb; }
svg.timeline .op rect { stroke: rgba(0,0,0,.25); stroke-width: .8; }
svg.timeline .op.ok rect { fill: var(--ok); }
svg.timeline .op.refused rect { fill: var(--refused); }
svg.timeline .op.indeterminate rect { fill: var(--indeterminate); stroke: #555; stroke-dasharray: 3 2; }
svg.timeline .op.server-error rect { stroke: var(--fail); stroke-width: 2; stroke-dasharray: none; }
svg.timeline .op.hl rect { stroke: var(--hl); stroke-width: 2.5; stroke-dasharray: none; }
svg.timeline .bar-label { fill: #fff; pointer-events: none; }
svg.timeline .op.indeterminate .bar-label { fill: #222; }
svg.timeline .badge { fill: var(--hl); font-weight: 700; font-size: 10px; }
svg.timeline .fault-glyph, .fault-mark { font-size: 10px; fill: #6a1b9a; color: #6a1b9a; }
svg.timeline .socket-life { stroke: #555; stroke-width: 1.5; }
svg.timeline .frame { fill: #1565c0; stroke: #fff; stroke-width: .8; }
svg.timeline .socket-end { font-size: 11px; font-weight: 700; fill: #333; }
svg.timeline .server-event line { stroke: #6a1b9a; stroke-width: 2; }
svg.timeline .server-event.restart line { stroke-dasharray: 4 3; }
svg.timeline .server-event text { fill: #6a1b9a; font-size: 11px; font-weight: 700; }
.swatch.crash { background: #6a1b9a; width: 3px; }
figure.focusing svg.timeline .op { opacity: .25; }
figure.focusing svg.timeline .op.focus { opacity: 1; }
figure.focusing svg.timeline .op.focus rect { stroke: var(--hl); stroke-width: 3; }
ol.violations { padding-left: 0; list-style: none; }
li.violation { margin: .5em 0; padding: .3em .6em; border-left: 3px solid var(--hl); background: #fff5f6; }
li.violation p { margin: 0 0 .2em; }
li.violation.focus { background: #ffe3e7; }
.violation-number { color: var(--hl); font-weight: 700; }
ul.operations { margin: 0; padding-left: 1.2em; font: 12px ui-monospace, Menlo, Consolas, monospace; color: #333; }
footer { margin-top: 3em; color: var(--muted); font-size: .85em; }
`;

/** Hovering a violation picks out its operations in the timeline next to it. */
export const reportScript = `
"use strict";
for (const item of document.querySelectorAll("li.violation[data-ops]")) {
  const figure = item.closest("figure.interleaving");
  if (!figure) continue;
  const ids = new Set(item.getAttribute("data-ops").split(" "));
  const bars = [...figure.querySelectorAll("g.op")].filter((bar) => ids.has(bar.getAttribute("data-op")));
  const focus = (on) => {
    figure.classList.toggle("focusing", on);
    item.classList.toggle("focus", on);
    for (const bar of bars) bar.classList.toggle("focus", on);
  };
  item.addEventListener("mouseenter", () => focus(true));
  item.addEventListener("mouseleave", () => focus(false));
}
`;
