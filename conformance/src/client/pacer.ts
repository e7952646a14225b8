// A token bucket for requests: at most `requestsPerSecond` on average, and
// up to `burst` at once after a quiet spell. Each caller reserves its slot
// as it asks (the generic cell rate algorithm), so callers are served in
// the order they asked, whoever shares the pacer.
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";

export class Pacer {
  private readonly intervalMs: number;
  /** How far ahead of its even spacing a request may go: the bucket's depth less the one request. */
  private readonly toleranceMs: number;
  /** When the next request would be due if every request kept the even spacing. */
  private dueAt = Number.NEGATIVE_INFINITY;

  constructor(
    readonly requestsPerSecond: number,
    readonly burst = 1,
  ) {
    if (!(requestsPerSecond > 0) || !(burst >= 1)) throw new RangeError("a pacer needs a rate above 0 and a burst of 1 or more");
    this.intervalMs = 1000 / requestsPerSecond;
    this.toleranceMs = (burst - 1) * this.intervalMs;
  }

  /** Waits for this request's slot. */
  async pace(): Promise<void> {
    const now = performance.now();
    const due = Math.max(now, this.dueAt);
    this.dueAt = due + this.intervalMs;
    const at = due - this.toleranceMs;
    if (at > now) await sleep(at - now);
  }
}
