// How deep an account's history is before its devices start, drawn with
// weight on the boundaries where servers break: a sequence column of one
// byte (127/128 signed, 255/256 unsigned) or two (32767/32768, 65535/65536).
// Shrinking bisects towards 0 like any integer, so a failure from version N
// on shrinks to a depth of about N.
import fc from "fast-check";
import { defaultTrafficProfile, type TrafficProfile } from "./traffic.js";
import { weighted } from "./weighted.js";

/** Sequences past which a narrow integer column wraps or clamps. */
export const sequenceBoundaries = [127, 255, 32_767, 65_535] as const;

class DepthArbitrary extends fc.Arbitrary<number> {
  private readonly shrinker: fc.Arbitrary<number>;
  private readonly boundaries: number[];

  constructor(
    private readonly cap: number,
    private readonly drawn: TrafficProfile["depth"],
  ) {
    super();
    this.shrinker = fc.integer({ min: 0, max: cap });
    // Each boundary b as b - 1 to b + 2: the last version before it, the boundary, the first past it.
    this.boundaries = sequenceBoundaries.flatMap((b) => [b - 1, b, b + 1, b + 2]).filter((depth) => depth <= cap);
  }

  generate(mrng: fc.Random): fc.Value<number> {
    const { weights, shallowMax, anywhereAbove } = this.drawn;
    const boundary = this.boundaries.length > 0 ? weights.boundary : 0;
    const anywhere = this.cap > anywhereAbove ? weights.anywhere : 0;
    const total = weights.none + weights.shallow + boundary + anywhere;
    if (total === 0) return new fc.Value(0, undefined);
    let pick = mrng.nextInt(1, total);
    let depth: number;
    if ((pick -= weights.none) <= 0) depth = 0;
    else if ((pick -= weights.shallow) <= 0) depth = mrng.nextInt(1, Math.min(shallowMax, this.cap));
    else if ((pick -= boundary) <= 0) depth = this.boundaries[mrng.nextInt(0, this.boundaries.length - 1)]!;
    else depth = mrng.nextInt(0, this.cap);
    return new fc.Value(depth, undefined);
  }

  canShrinkWithoutContext(value: unknown): value is number {
    return this.shrinker.canShrinkWithoutContext(value);
  }

  shrink(value: number, context: unknown): fc.Stream<fc.Value<number>> {
    return this.shrinker.shrink(value, context);
  }
}

/**
 * Depths up to `cap` (--depth; 0 when it is 0), drawn as the traffic
 * profile weighs them: in the default profile most accounts start empty or
 * shallow, since each version of an advance is one request after another.
 */
export function depthArbitrary(cap: number = defaultTrafficProfile.depth.cap, drawn: TrafficProfile["depth"] = defaultTrafficProfile.depth): fc.Arbitrary<number> {
  return cap <= 0 ? fc.constant(0) : new DepthArbitrary(cap, drawn);
}

/** POSTs of one sequence at once after the advance: none, or `min` to `max` (shrinking towards none, then `min`). */
export function burstArbitrary(bursts: TrafficProfile["bursts"]): fc.Arbitrary<number> {
  return fc.oneof(...weighted<number>([bursts.none, fc.constant(0)], [bursts.some, fc.integer({ min: bursts.min, max: bursts.max })]));
}
