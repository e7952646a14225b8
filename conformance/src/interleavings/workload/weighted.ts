// Weighted choices of a traffic profile as fast-check alternatives.
import type fc from "fast-check";

/** The alternatives of a choice whose weight is above 0, in order (the first is what shrinking goes towards). */
export function weighted<T>(...alternatives: Array<[weight: number, arbitrary: fc.Arbitrary<T>]>): Array<fc.WeightedArbitrary<T>> {
  return alternatives.filter(([weight]) => weight > 0).map(([weight, arbitrary]) => ({ weight, arbitrary }));
}
