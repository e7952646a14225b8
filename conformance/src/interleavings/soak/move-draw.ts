// The moves of a long-lived device, drawn one after another without end from
// the traffic profile's arbitrary (the workloads' own, arbitrary.ts), in
// batches that fast-check samples with a seed made of the run's seed, the
// device's place in the pool and the batch's number: a soak with the same
// seed draws the same moves for the same device, whatever the timing did.
import fc from "fast-check";
import type { FaultyMove } from "../workload/workload.js";

/** Moves sampled at once: small, so that a device's draw costs little memory. */
const batchSize = 64;

export class MoveDraw {
  private batch: FaultyMove[] = [];
  private batches = 0;

  constructor(
    private readonly moves: fc.Arbitrary<FaultyMove>,
    /** The run's seed mixed with the device's place in the pool. */
    private readonly seed: number,
  ) {}

  next(): FaultyMove {
    if (this.batch.length === 0) {
      // fast-check takes 32-bit seeds: the batch number is folded in, wrapping.
      const seed = (Math.imul(this.seed, 0x9e3779b1) + this.batches++) | 0;
      this.batch = fc.sample(this.moves, { seed, numRuns: batchSize }).reverse();
    }
    return this.batch.pop()!;
  }
}

/** A device's seed: the run's seed and its account and device index, mixed so that neighbours draw differently. */
export function deviceSeed(runSeed: number, account: number, device: number): number {
  return (Math.imul(runSeed ^ 0x5bd1e995, 31) + Math.imul(account + 1, 0x01000193) + Math.imul(device + 1, 0x0100_0001)) | 0;
}
