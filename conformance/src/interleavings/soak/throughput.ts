// Checked operations over the time of a soak, for a chart in the reports:
// operations are counted into buckets of equal width from the start of the
// run; once there would be more than `maxPoints` buckets, neighbours are
// merged and the width doubles. However long the run, the series holds at
// most `maxPoints` numbers per kind.
import { performance } from "node:perf_hooks";
import type { ThroughputPoint } from "../../model/result.js";

export type ThroughputSource = "workloads" | "longLived";

export class ThroughputSeries {
  private widthMs: number;
  private readonly all: number[] = [];
  private readonly longLived: number[] = [];
  private lastAt: number;

  constructor(
    private readonly startedAt: number = performance.now(),
    private readonly maxPoints = 120,
    initialWidthMs = 1000,
  ) {
    this.widthMs = initialWidthMs;
    this.lastAt = startedAt;
  }

  /** Counts `operations` checked at `at` (performance.now() time). */
  add(operations: number, source: ThroughputSource, at: number = performance.now()): void {
    if (operations <= 0) return;
    let bucket = Math.max(0, Math.floor((at - this.startedAt) / this.widthMs));
    while (bucket >= this.maxPoints) {
      this.halve();
      bucket = Math.floor((at - this.startedAt) / this.widthMs);
    }
    while (this.all.length <= bucket) {
      this.all.push(0);
      this.longLived.push(0);
    }
    this.all[bucket]! += operations;
    if (source === "longLived") this.longLived[bucket]! += operations;
    if (at > this.lastAt) this.lastAt = at;
  }

  /** The series so far; the last bucket's rate over the part of it that has passed. */
  points(now: number = this.lastAt): ThroughputPoint[] {
    return this.all.map((count, index) => {
      const end = Math.min((index + 1) * this.widthMs, Math.max(now - this.startedAt, index * this.widthMs + 1));
      const seconds = (end - index * this.widthMs) / 1000;
      return {
        atSeconds: Math.round(end) / 1000,
        operationsPerSecond: Math.round(count / seconds),
        longLivedPerSecond: Math.round(this.longLived[index]! / seconds),
      };
    });
  }

  /** Merges neighbouring buckets: twice the width, half the points. */
  private halve(): void {
    for (const counts of [this.all, this.longLived]) {
      const merged = [];
      for (let index = 0; index < counts.length; index += 2) merged.push(counts[index]! + (counts[index + 1] ?? 0));
      counts.splice(0, counts.length, ...merged);
    }
    this.widthMs *= 2;
  }
}

/**
 * The series of processes that ran at once (--workers), started at about
 * the same time, as one: their operations counted again into one series.
 */
export function mergeThroughput(serieses: ReadonlyArray<readonly ThroughputPoint[]>, maxPoints = 120): ThroughputPoint[] {
  const merged = new ThroughputSeries(0, maxPoints);
  let end = 0;
  for (const series of serieses) {
    let from = 0;
    for (const point of series) {
      const seconds = point.atSeconds - from;
      // Counted in the middle of its bucket, so that it lands in the same bucket of the merged series.
      const at = ((from + point.atSeconds) / 2) * 1000;
      merged.add(Math.round(point.longLivedPerSecond * seconds), "longLived", at);
      merged.add(Math.round((point.operationsPerSecond - point.longLivedPerSecond) * seconds), "workloads", at);
      from = point.atSeconds;
    }
    end = Math.max(end, from * 1000);
  }
  return merged.points(end);
}
