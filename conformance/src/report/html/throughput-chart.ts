// A soak's throughput over its time as a small inline SVG chart: checked
// operations per second of the whole run, and of its long-lived accounts,
// one point per bucket of the series (at most 120, soak/throughput.ts), so
// the chart is as small after ten hours as after ten minutes.
import type { ThroughputPoint } from "../../model/result.js";
import { escapeMarkup } from "../markup.js";

const width = 480;
const height = 120;
const left = 48;
const bottom = 20;
const top = 8;
const right = 8;

const number = (n: number): string => Math.round(n).toLocaleString("en-US");

/** The chart, or nothing for fewer than two points. */
export function throughputChart(points: readonly ThroughputPoint[]): string {
  if (points.length < 2) return "";
  const lastAt = points.at(-1)!.atSeconds;
  const peak = Math.max(1, ...points.map((point) => point.operationsPerSecond));
  const x = (at: number) => (left + (at / lastAt) * (width - left - right)).toFixed(1);
  const y = (rate: number) => (height - bottom - (rate / peak) * (height - bottom - top)).toFixed(1);
  const line = (rate: (point: ThroughputPoint) => number) => points.map((point) => `${x(point.atSeconds)},${y(rate(point))}`).join(" ");
  const title = `checked operations per second over ${number(lastAt)} s: peak ${number(peak)}, last ${number(points.at(-1)!.operationsPerSecond)}`;
  return [
    `<svg class="throughput" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeMarkup(title)}">`,
    `<title>${escapeMarkup(title)}</title>`,
    `<line class="axis" x1="${left}" y1="${height - bottom}" x2="${width - right}" y2="${height - bottom}"/>`,
    `<line class="axis" x1="${left}" y1="${top}" x2="${left}" y2="${height - bottom}"/>`,
    `<text class="tick-label" x="${left - 4}" y="${top + 8}" text-anchor="end">${number(peak)}/s</text>`,
    `<text class="tick-label" x="${left - 4}" y="${height - bottom}" text-anchor="end">0</text>`,
    `<text class="tick-label" x="${width - right}" y="${height - 6}" text-anchor="end">${number(lastAt)} s</text>`,
    `<polyline class="all" points="${line((point) => point.operationsPerSecond)}"/>`,
    `<polyline class="long-lived" points="${line((point) => point.longLivedPerSecond)}"/>`,
    "</svg>",
  ].join("");
}
