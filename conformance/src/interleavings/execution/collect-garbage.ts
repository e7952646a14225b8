// A full garbage collection on demand, for soak runs: once a batch of runs is
// checked and dropped, collecting at once keeps the process at the size of
// one batch; and every few seconds besides, since the wallets of 1 MB that
// come and go would otherwise let the heap swell to several times what is
// live before V8 collects. Left to itself V8 raises its heap limit as it
// learns the allocation rate, so a long run's memory would creep up for
// minutes although what it keeps does not grow.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

let collect: (() => void) | undefined;

export function collectGarbage(): void {
  if (!collect) {
    setFlagsFromString("--expose-gc");
    collect = runInNewContext("gc") as () => void;
  }
  collect();
}

/** Collects every `ms` until the returned function is called (the timer keeps no process alive). */
export function collectGarbageEvery(ms: number): () => void {
  const timer = setInterval(collectGarbage, ms);
  timer.unref();
  return () => clearInterval(timer);
}
