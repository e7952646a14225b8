// Rate limits of a server or its gateway: a 429, or a 503 with Retry-After,
// is answered before the request does anything, so the client waits as told
// (capped) and sends it again. One RateLimits per run counts how often that
// happened and, with --rate-limit N, paces every request of the run; the
// randomized workloads may add a pacer of their own (--rate).
import { setTimeout as sleep } from "node:timers/promises";
import { rateLimitMaxWaitMs, rateLimitRetries } from "../defaults.js";
import { Pacer } from "./pacer.js";

/** How often a run was limited, for reports. */
export interface RateLimitTotals {
  /** Responses that were a rate limit (each was retried, unless the retries ran out). */
  limitedResponses: number;
  /** Time spent waiting before those retries. */
  waitedMs: number;
  /** The pace the run kept (--rate-limit), when it kept one. */
  requestsPerSecond?: number;
}

export interface LimitedResponse {
  status: number;
  headers: Record<string, string>;
}

/** Whether a response is a rate limit rather than an answer of the protocol. */
export function isRateLimited(response: LimitedResponse): boolean {
  return response.status === 429 || (response.status === 503 && response.headers["retry-after"] !== undefined);
}

/** Milliseconds Retry-After asks for (seconds or an HTTP date), or undefined when it asks nothing readable. */
export function retryAfterMs(header: string | undefined, now = Date.now()): number | undefined {
  if (header === undefined) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export interface RateLimitOptions {
  /** Requests per second for the whole run; unlimited when absent. */
  requestsPerSecond?: number;
  retries?: number;
  maxWaitMs?: number;
}

/** What the requests of one run met, whichever of its RateLimits sent them. */
interface Tally {
  limitedResponses: number;
  waitedMs: number;
}

export class RateLimits {
  readonly retries: number;
  private readonly maxWaitMs: number;
  private readonly requestsPerSecond: number | undefined;
  /** --rate-limit: one request every 1/N seconds across the run, no bursts; then any pacer a part of the run adds. */
  private readonly pacers: readonly Pacer[];
  private readonly tally: Tally;

  constructor(options: RateLimitOptions = {}, shared?: { tally: Tally; pacers: readonly Pacer[] }) {
    this.retries = options.retries ?? rateLimitRetries;
    this.maxWaitMs = options.maxWaitMs ?? rateLimitMaxWaitMs;
    this.requestsPerSecond = options.requestsPerSecond;
    this.tally = shared?.tally ?? { limitedResponses: 0, waitedMs: 0 };
    this.pacers = shared?.pacers ?? (options.requestsPerSecond ? [new Pacer(options.requestsPerSecond)] : []);
  }

  /**
   * The same run's limits, counted together, whose requests also keep to
   * `pacer` (--rate: the randomized workloads' own cap).
   */
  alsoPacedBy(pacer: Pacer): RateLimits {
    const options = { retries: this.retries, maxWaitMs: this.maxWaitMs, ...(this.requestsPerSecond !== undefined ? { requestsPerSecond: this.requestsPerSecond } : {}) };
    return new RateLimits(options, { tally: this.tally, pacers: [...this.pacers, pacer] });
  }

  /** Waits for this request's slot with every pacer of the run. */
  async pace(): Promise<void> {
    for (const pacer of this.pacers) await pacer.pace();
  }

  /** Counts a limited response. */
  count(): void {
    this.tally.limitedResponses++;
  }

  /** Waits before retrying a limited request: what Retry-After asks, capped, or a doubling backoff when it asks nothing. */
  async waitBeforeRetry(response: LimitedResponse, attempt: number): Promise<void> {
    const asked = retryAfterMs(response.headers["retry-after"]) ?? 100 * 2 ** attempt;
    const wait = Math.min(asked, this.maxWaitMs);
    this.tally.waitedMs += wait;
    if (wait > 0) await sleep(wait);
  }

  totals(): RateLimitTotals {
    return {
      limitedResponses: this.tally.limitedResponses,
      waitedMs: Math.round(this.tally.waitedMs),
      ...(this.requestsPerSecond !== undefined ? { requestsPerSecond: this.requestsPerSecond } : {}),
    };
  }
}

/**
 * Sends a request until its answer is no rate limit, or the retries ran out:
 * each attempt is paced, and a limit counted and waited for as it asks. Every
 * attempt is the caller's to record; the last one is returned.
 */
export async function sendRateLimited<T>(limits: RateLimits, send: () => Promise<T>, responseOf: (result: T) => LimitedResponse | undefined): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    await limits.pace();
    const result = await send();
    const response = responseOf(result);
    if (!response || !isRateLimited(response)) return result;
    limits.count();
    if (attempt >= limits.retries) return result;
    await limits.waitBeforeRetry(response, attempt);
  }
}
