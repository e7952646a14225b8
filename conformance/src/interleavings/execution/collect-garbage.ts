// A full garbage collection on demand, for soak runs: once a batch of runs is
// checked and dropped, collecting at once keeps the process at the size of
// one batch; every few seconds besides, since left to itself V8 raises its
// heap limit as it learns the allocation rate, so a long run's memory would
// creep up for minutes although what it keeps does not grow; and soon after
// a wallet of hundreds of kilobytes came or went: its copies (the body sent,
// the answer, the parsed and merged wallets, the hmac's input) are large
// objects, which only a full collection frees, and several such wallets in
// one period would let the heap swell to several times what is live.
import { performance } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** A body from this size on is worth a collection soon after it, in a soak. */
export const largeBodyBytes = 256 * 1024;
/** How soon after such a body: its exchange is over and its copies dropped by then. */
const soonMs = 20;
/** The least time between two collections asked for soon: a full collection costs tens of milliseconds. */
const soonGapMs = 250;

let collect: (() => void) | undefined;
let soaks = 0;
let soon: NodeJS.Timeout | undefined;
let lastCollectedAt = Number.NEGATIVE_INFINITY;
let collections = 0;

export function collectGarbage(): void {
  if (!collect) {
    setFlagsFromString("--expose-gc");
    collect = runInNewContext("gc") as () => void;
  }
  collect();
  collections++;
  lastCollectedAt = performance.now();
}

/** How many full collections the suite has asked for so far (V8 makes others of its own). */
export function collectionsAskedFor(): number {
  return collections;
}

/** Collects every `ms`, and soon after large bodies, until the returned function is called (the timers keep no process alive). */
export function collectGarbageEvery(ms: number): () => void {
  soaks++;
  const timer = setInterval(collectGarbage, ms);
  timer.unref();
  return () => {
    clearInterval(timer);
    if (--soaks === 0 && soon) {
      clearTimeout(soon);
      soon = undefined;
    }
  };
}

/** A body of `bytes` was sent or read: while a soak collects, a collection soon (at most one every soonGapMs). */
export function noteBodySize(bytes: number): void {
  if (soaks === 0 || soon || bytes < largeBodyBytes) return;
  soon = setTimeout(
    () => {
      soon = undefined;
      collectGarbage();
    },
    Math.max(soonMs, lastCollectedAt + soonGapMs - performance.now()),
  );
  soon.unref();
}
