// How deep an account's history is before its devices start, drawn with
// weight on the boundaries where servers break: a sequence column of one
// byte (127/128 signed, 255/256 unsigned) or two (32767/32768, 65535/65536).
// Shrinking bisects towards 0 like any integer, so a failure from version N
// on shrinks to a depth of about N.
import fc from "fast-check";
import { defaultDepthCap } from "../../defaults.js";

/** Sequences past which a narrow integer column wraps or clamps. */
export const sequenceBoundaries = [127, 255, 32_767, 65_535] as const;

/**
 * The weights of the kinds of depth drawn: most accounts start empty or
 * shallow, since each version of an advance is one request after another
 * (against a server 20 ms away, 300 versions take 6 s). A default run of
 * about 90 accounts still draws the one-byte boundaries a few times. Depths
 * anywhere up to the cap are drawn only when --depth raises it.
 */
const weights = { none: 10, shallow: 3, boundary: 2, anywhere: 1 } as const;
const shallowMax = 40;

class DepthArbitrary extends fc.Arbitrary<number> {
  private readonly shrinker: fc.Arbitrary<number>;
  private readonly boundaries: number[];

  constructor(private readonly cap: number) {
    super();
    this.shrinker = fc.integer({ min: 0, max: cap });
    // Each boundary b as b - 1 to b + 2: the last version before it, the boundary, the first past it.
    this.boundaries = sequenceBoundaries.flatMap((b) => [b - 1, b, b + 1, b + 2]).filter((depth) => depth <= cap);
  }

  generate(mrng: fc.Random): fc.Value<number> {
    const boundary = this.boundaries.length > 0 ? weights.boundary : 0;
    const anywhere = this.cap > defaultDepthCap ? weights.anywhere : 0;
    let pick = mrng.nextInt(1, weights.none + weights.shallow + boundary + anywhere);
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

/** Depths up to `cap` (--depth); 0 when the cap is 0. */
export function depthArbitrary(cap: number = defaultDepthCap): fc.Arbitrary<number> {
  return cap <= 0 ? fc.constant(0) : new DepthArbitrary(cap);
}

/** POSTs of one sequence at once after the advance: none most of the time, else 2 to 32 (shrinking towards 2). */
export const burstArbitrary: fc.Arbitrary<number> = fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.integer({ min: 2, max: 32 }) });
