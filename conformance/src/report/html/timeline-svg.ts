// Draws a timeline panel as inline SVG, as Porcupine's and etcd's history
// visualizations do: one lane per client, grouped by account, each operation
// a bar from its invocation to its completion, coloured by outcome, the
// contradicting operations outlined and numbered after their violations.
//
// The horizontal axis is the order of events (every invocation and
// completion), not linear time: it keeps exactly which operations overlap and
// which finished before another began (what the LIN requirements are about),
// and a burst of fast requests does not shrink to a sliver next to a slow one.
// The exact times are in every bar's tooltip and along the axis. A request
// the suite injected a fault into (--faults) carries a lightning glyph and
// the fault in its tooltip; a crash or restart of the server (--restarts) is
// a labelled vertical line across every lane. A socket (api3) is its upgrade's
// bar followed by a thin line while it was open, a dot per frame it received
// (the frame in the dot's tooltip) and a mark where it ended: × closed by the
// server, ⌁ dropped, | closed by its client at the end of the run.
import type { Narrator } from "../../history/findings.js";
import type { Operation, ServerEvent, SocketOperation } from "../../history/history.js";
import { describeOperation } from "../../interleavings/property/history-text.js";
import { escapeMarkup } from "../markup.js";
import { naturalOrder, type TimelinePanel } from "./timeline-plan.js";

const labelWidth = 170;
const axisHeight = 26;
const accountHeaderHeight = 20;
const rowHeight = 22;
const barHeight = 15;
const badgeSpace = 11;
const targetWidth = 1100;
const minStep = 5;
const maxStep = 30;
const tickSpacing = 130;

interface Lane {
  account: string;
  client: string;
  /** Operations with the sub-row they are drawn in (a client that overlaps itself needs more than one). */
  placed: Array<{ operation: Operation; row: number }>;
  rows: number;
}

/** Frames drawn per socket at most; its tooltip counts them all. */
const framesDrawn = 24;

/** The times a socket's line passes: frames drawn and its end. */
function socketTimes(socket: SocketOperation): number[] {
  const times = socket.frames.slice(0, framesDrawn).map((frame) => frame.at);
  if (socket.closed) times.push(socket.closed.at);
  return times;
}

/** Where an operation's drawing ends: a socket's at its end (or last frame drawn), any other at its answer. */
function drawnEnd(operation: Operation): number {
  return operation.kind === "socket" ? Math.max(operation.completedAt, ...socketTimes(operation)) : operation.completedAt;
}

const socketEndGlyphs = { server: "×", drop: "⌁", client: "|" } as const;

/** A socket's line from its upgrade's answer to its end, its frames as dots, its end as a glyph. */
function socketLife(socket: SocketOperation, x: (time: number) => number, middle: number, narrator: Narrator): string[] {
  const end = drawnEnd(socket);
  if (socket.outcome.type !== "ok" || end <= socket.completedAt) return [];
  const parts = [`<line class="socket-life" x1="${x(socket.completedAt).toFixed(1)}" x2="${x(end).toFixed(1)}" y1="${middle}" y2="${middle}"/>`];
  for (const frame of socket.frames.slice(0, framesDrawn)) {
    parts.push(
      `<circle class="frame" cx="${x(frame.at).toFixed(1)}" cy="${middle}" r="3"><title>${escapeMarkup(`${JSON.stringify(frame.text)} at ${narrator.at(frame.at)}`)}</title></circle>`,
    );
  }
  if (socket.closed) {
    parts.push(`<text class="socket-end" x="${(x(socket.closed.at) - 3).toFixed(1)}" y="${middle + 4}">${socketEndGlyphs[socket.closed.by]}</text>`);
  }
  return parts;
}

/** Lanes of one client each, sub-rows packed greedily so overlapping requests of one client stay visible. */
function lanesOf(panel: TimelinePanel, rank: (time: number) => number): Lane[] {
  const lanes = new Map<string, Lane>();
  for (const operation of panel.operations) {
    const key = `${operation.account}\u0000${operation.client}`;
    let lane = lanes.get(key);
    if (!lane) {
      lane = { account: operation.account, client: operation.client, placed: [], rows: 0 };
      lanes.set(key, lane);
    }
    lane.placed.push({ operation, row: 0 });
  }
  for (const lane of lanes.values()) {
    const rowEnds: number[] = [];
    for (const entry of lane.placed) {
      const start = rank(entry.operation.invokedAt);
      let row = rowEnds.findIndex((end) => end < start);
      if (row === -1) row = rowEnds.length;
      rowEnds[row] = rank(drawnEnd(entry.operation));
      entry.row = row;
    }
    lane.rows = Math.max(1, rowEnds.length);
  }
  const accountIndex = new Map(panel.accounts.map((account, index) => [account, index]));
  return [...lanes.values()].sort(
    (a, b) => (accountIndex.get(a.account) ?? 0) - (accountIndex.get(b.account) ?? 0) || naturalOrder(a.client, b.client),
  );
}

/** Every distinct event time gets a rank; the axis is spaced by rank. */
function eventRanks(operations: readonly Operation[], events: readonly ServerEvent[]): { times: number[]; rank: (time: number) => number } {
  const all = [
    ...operations.flatMap((op) => (op.kind === "socket" ? [op.invokedAt, op.completedAt, ...socketTimes(op)] : [op.invokedAt, op.completedAt])),
    ...events.map((event) => event.at),
  ];
  const times = [...new Set(all)].sort((a, b) => a - b);
  const index = new Map(times.map((time, position) => [time, position]));
  return { times, rank: (time) => index.get(time) ?? 0 };
}

function shortLabel(operation: Operation, width: number): string {
  const wallet = operation.outcome.type !== "indeterminate" ? operation.outcome.wallet : undefined;
  const [long, short] =
    operation.kind === "post"
      ? [`POST ${operation.request.sequence}`, `P${operation.request.sequence}`]
      : operation.kind === "get"
        ? wallet
          ? [`GET ${wallet.sequence}`, `G${wallet.sequence}`]
          : [`GET ${operation.outcome.type === "indeterminate" ? "?" : operation.outcome.status}`, "G"]
        : operation.kind === "auth"
          ? ["auth", "A"]
          : operation.kind === "password"
            ? operation.request
              ? [`password ${operation.request.sequence}`, `W${operation.request.sequence}`]
              : ["password", "W"]
            : operation.kind === "socket"
              ? ["socket", "WS"]
              : ["signup", "S"];
  const fits = (text: string) => text.length * 6.4 + 6 <= width;
  // In a deployment the node is part of the label when there is room: "POST 3 @n2".
  const node = operation.node !== undefined ? ` @${operation.node}` : "";
  if (node && fits(long + node)) return long + node;
  return fits(long) ? long : fits(short) ? short : "";
}

export interface TimelineSvgOptions {
  /** Prefix for ids, unique within the page. */
  idPrefix: string;
  narrator: Narrator;
}

export function renderTimelineSvg(panel: TimelinePanel, options: TimelineSvgOptions): string {
  const { times, rank } = eventRanks(panel.operations, panel.events);
  const step = Math.min(maxStep, Math.max(minStep, targetWidth / Math.max(1, times.length)));
  const x = (time: number) => labelWidth + 8 + rank(time) * step;
  const width = Math.ceil(labelWidth + 16 + Math.max(1, times.length) * step);
  const lanes = lanesOf(panel, rank);

  const backgrounds: string[] = [];
  const bars: string[] = [];
  let y = axisHeight;
  let currentAccount: string | undefined;
  for (const lane of lanes) {
    if (lane.account !== currentAccount) {
      currentAccount = lane.account;
      backgrounds.push(
        `<text class="account" x="4" y="${y + 14}">account ${escapeMarkup(lane.account)}</text>`,
        `<line class="account-rule" x1="0" x2="${width}" y1="${y + 0.5}" y2="${y + 0.5}"/>`,
      );
      y += accountHeaderHeight;
    }
    const laneHeight = lane.rows * rowHeight + badgeSpace;
    backgrounds.push(
      `<rect class="lane" x="${labelWidth}" y="${y}" width="${width - labelWidth}" height="${laneHeight}"/>`,
      `<text class="client" x="16" y="${y + badgeSpace + 12}">client ${escapeMarkup(lane.client)}</text>`,
    );
    for (const { operation, row } of lane.placed) {
      const left = x(operation.invokedAt);
      const barWidth = Math.max(3, x(operation.completedAt) - left);
      const top = y + badgeSpace + row * rowHeight;
      const numbers = panel.highlighted.get(operation.id);
      const faulted = operation.fault !== undefined;
      const serverError = operation.outcome.type === "indeterminate" && operation.outcome.cause === "server-error";
      const classes = ["op", operation.outcome.type, ...(serverError ? ["server-error"] : []), ...(numbers ? ["hl"] : []), ...(faulted ? ["faulted"] : [])].join(" ");
      const faultAttribute = faulted ? ` data-fault="${escapeMarkup(operation.fault ?? "")}"` : "";
      const label = shortLabel(operation, barWidth);
      const violationsAttribute = numbers ? ` data-violations="${numbers.join(" ")}"` : "";
      bars.push(
        `<g class="${classes}" data-op="${operation.id}"${violationsAttribute}${faultAttribute}>`,
        `<title>${escapeMarkup(describeOperation(operation, options.narrator))}</title>`,
        `<rect x="${left.toFixed(1)}" y="${top}" width="${barWidth.toFixed(1)}" height="${barHeight}" rx="3"/>`,
        label ? `<text class="bar-label" x="${(left + 3).toFixed(1)}" y="${top + 11}">${escapeMarkup(label)}</text>` : "",
        numbers ? `<text class="badge" x="${left.toFixed(1)}" y="${top - 2}">${numbers.map((n) => `#${n}`).join(" ")}</text>` : "",
        faulted ? `<text class="fault-glyph" x="${(left + barWidth - 9).toFixed(1)}" y="${top - 1}">⚡</text>` : "",
        ...(operation.kind === "socket" ? socketLife(operation, x, top + barHeight / 2, options.narrator) : []),
        "</g>",
      );
    }
    y += laneHeight;
  }

  // Time labels along the axis, spaced out so they do not overlap.
  const ticks: string[] = [];
  const every = Math.max(1, Math.round(tickSpacing / step));
  for (let position = 0; position < times.length; position += every) {
    const time = times[position] as number;
    const left = x(time);
    ticks.push(
      `<line class="tick" x1="${left.toFixed(1)}" x2="${left.toFixed(1)}" y1="${axisHeight - 6}" y2="${y}"/>`,
      `<text class="tick-label" x="${left.toFixed(1)}" y="${axisHeight - 10}">${escapeMarkup(options.narrator.at(time))}</text>`,
    );
  }

  // The server's crashes and restarts, across every lane.
  const serverEvents = panel.events.map((event) => {
    const left = x(event.at).toFixed(1);
    const at = options.narrator.at(event.at);
    const server = event.node === undefined ? "the server" : `node ${event.node}`;
    const tooltip = event.kind === "crash" ? `${server} was killed (SIGKILL) at ${at}` : `${server} answered again at ${at}`;
    return [
      `<g class="server-event ${event.kind}" data-event="${event.kind}">`,
      `<title>${escapeMarkup(tooltip)}</title>`,
      `<line x1="${left}" x2="${left}" y1="${axisHeight - 4}" y2="${y}"/>`,
      `<text x="${left}" y="${y + 12}">${escapeMarkup(`${event.node === undefined ? "" : `${event.node} `}${event.kind} ${at}`)}</text>`,
      "</g>",
    ].join("");
  });

  const height = y + (serverEvents.length > 0 ? 18 : 6);
  const title = `Timeline of ${panel.operations.length} operations of account${panel.accounts.length === 1 ? "" : "s"} ${panel.accounts.join(", ")}`;
  return [
    `<svg class="timeline" id="${escapeMarkup(options.idPrefix)}" xmlns="http://www.w3.org/2000/svg" role="img" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<title>${escapeMarkup(title)}</title>`,
    `<text class="axis-label" x="4" y="${axisHeight - 10}">order of events →</text>`,
    ...backgrounds,
    ...ticks,
    ...bars.filter((part) => part !== ""),
    ...serverEvents,
    "</svg>",
  ].join("\n");
}
