// A full garbage collection on demand, for soak runs: once a batch of runs is
// checked and dropped, collecting at once keeps the process at the size of
// one batch. Left to itself V8 raises its heap limit as it learns the
// allocation rate, so a long run's memory would creep up for minutes although
// what it keeps does not grow.
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
