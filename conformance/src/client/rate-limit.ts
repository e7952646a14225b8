// Rate limits of a server or its gateway: a 429, or a 503 with Retry-After,
// is answered before the request does anything, so the client waits as told
// (capped) and sends it again. One RateLimits per run counts how often that
// happened and, with --rate-limit N, paces every request of the run.
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { rateLimitMaxWaitMs, rateLimitRetries } from "../defaults.js";

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

export class RateLimits {
  readonly retries: number;
  private readonly maxWaitMs: number;
  private readonly intervalMs: number | undefined;
  private readonly requestsPerSecond: number | undefined;
  private nextSlot = 0;
  private limitedResponses = 0;
  private waitedMs = 0;

  constructor(options: RateLimitOptions = {}) {
    this.retries = options.retries ?? rateLimitRetries;
    this.maxWaitMs = options.maxWaitMs ?? rateLimitMaxWaitMs;
    this.requestsPerSecond = options.requestsPerSecond;
    this.intervalMs = options.requestsPerSecond ? 1000 / options.requestsPerSecond : undefined;
  }

  /** Waits for this request's slot: one every 1/N seconds across the run, no bursts. */
  async pace(): Promise<void> {
    if (this.intervalMs === undefined) return;
    const now = performance.now();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + this.intervalMs;
    if (slot > now) await sleep(slot - now);
  }

  /** Counts a limited response. */
  count(): void {
    this.limitedResponses++;
  }

  /** Waits before retrying a limited request: what Retry-After asks, capped, or a doubling backoff when it asks nothing. */
  async waitBeforeRetry(response: LimitedResponse, attempt: number): Promise<void> {
    const asked = retryAfterMs(response.headers["retry-after"]) ?? 100 * 2 ** attempt;
    const wait = Math.min(asked, this.maxWaitMs);
    this.waitedMs += wait;
    if (wait > 0) await sleep(wait);
  }

  totals(): RateLimitTotals {
    return {
      limitedResponses: this.limitedResponses,
      waitedMs: Math.round(this.waitedMs),
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
