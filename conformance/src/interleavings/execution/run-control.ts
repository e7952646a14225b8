// Bounds one execution of a workload in time: devices stop starting requests
// once the deadline has passed or once the server has let enough requests
// time out (a server that stalls under load would otherwise make every
// device wait for every request in turn). Requests in flight still finish,
// each bounded by the per-request timeout.
import { performance } from "node:perf_hooks";
import type { Exchange } from "../../client/protocol-client.js";

export type StopReason = "deadline" | "timeouts" | "interrupted";

export class RunControl {
  private deadline: number;
  private timeouts = 0;
  private reason: StopReason | undefined;

  constructor(
    private readonly durationLimitMs: number,
    private readonly timeoutLimit: number,
    private readonly interrupt?: AbortSignal,
  ) {
    this.deadline = performance.now() + durationLimitMs;
  }

  /**
   * Whether requests must stop whatever the clock says: an interruption, or
   * a server letting requests time out. An account's advance (as many
   * sequential POSTs as its depth) is bounded by these, not by the clock.
   */
  get halted(): boolean {
    const reason = this.stopReason;
    return reason !== undefined && reason !== "deadline";
  }

  /** Gives the devices the whole time limit from now on (after an account's advance, which may take long). */
  extend(): void {
    if (this.reason === "deadline") this.reason = undefined;
    this.deadline = Math.max(this.deadline, performance.now() + this.durationLimitMs);
  }

  /** Why devices should stop, or undefined while they may go on. */
  get stopReason(): StopReason | undefined {
    if (!this.reason && this.interrupt?.aborted) this.reason = "interrupted";
    if (!this.reason && performance.now() > this.deadline) this.reason = "deadline";
    return this.reason;
  }

  get stopped(): boolean {
    return this.stopReason !== undefined;
  }

  /** Counts the exchange's timeout, if it timed out. */
  observe(exchange: Exchange): void {
    if (exchange.failure?.kind !== "timeout") return;
    this.timeouts++;
    if (this.timeouts >= this.timeoutLimit) this.reason ??= "timeouts";
  }
}
