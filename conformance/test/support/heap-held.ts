// How much heap what a piece of code keeps alive holds: full collections
// before and after it, so that only what it leaves reachable counts.
import { collectGarbage } from "../../src/interleavings/execution/collect-garbage.js";

/**
 * Runs `make` and measures the heap what it returns (and anything else it
 * left reachable) holds. `make` runs in a frame of its own, which ends before
 * the measure: a test's own frame may keep what it made alive.
 */
export async function heapHeldBy<T>(make: () => T | Promise<T>): Promise<{ bytes: number; kept: T }> {
  collectGarbage();
  const before = process.memoryUsage().heapUsed;
  const kept = await make();
  collectGarbage();
  return { bytes: process.memoryUsage().heapUsed - before, kept };
}
