// Where a long-lived account's operations go as they are recorded: into the
// online checker, which judges them in windows and drops what later
// operations cannot contradict, and into small batches that are counted
// (coverage, server errors, throughput) and dropped. Nothing here grows with
// the run: a batch holds at most `batchOperations` operations.
import { addCoverage, coverageOf, emptyCoverage, type HistoryCoverage } from "../../history/coverage.js";
import { historyFormat, type HistoryProfile, type Operation } from "../../history/history.js";
import type { OnlineChecker } from "../../history/online/online-checker.js";
import { countServerErrors, tallyServerErrors, type ServerErrorTally } from "../../history/server-errors.js";
import type { ThroughputSeries } from "./throughput.js";

/** Operations counted together: coverage that spans two requests (contenders, replaced tokens) is counted within a batch. */
const batchOperations = 200;


export class OperationStream {
  private batch: Operation[] = [];
  private counted = emptyCoverage();
  private streamed = 0;
  private deepest = 0;
  /** 5xx answers among the operations (LIN-7). */
  readonly serverErrors: ServerErrorTally = { count: 0, requests: 0, byStatus: {}, byEndpoint: {} };

  constructor(
    private readonly checker: OnlineChecker,
    private readonly profile: HistoryProfile,
    private readonly throughput?: ThroughputSeries,
  ) {}

  /** The recorder's sink. */
  readonly add = (op: Operation): void => {
    this.checker.add(op);
    this.streamed++;
    this.throughput?.add(1, "longLived");
    this.noteDepth(op);
    this.batch.push(op);
    if (this.batch.length >= batchOperations) this.countBatch();
  };

  /** Operations streamed so far. */
  get operations(): number {
    return this.streamed;
  }

  /** The highest sequence stored so far (an accepted write, or a wallet a server returned). */
  get deepestVersion(): number {
    return this.deepest;
  }

  /** Operations waiting in the batch to be counted: at most batchOperations. */
  get batched(): number {
    return this.batch.length;
  }

  /** What the operations exercised, the batch not yet counted included. */
  coverage(): HistoryCoverage {
    this.countBatch();
    return this.counted;
  }

  private countBatch(): void {
    if (this.batch.length === 0) return;
    const operations = this.batch;
    this.batch = [];
    this.counted = addCoverage(this.counted, coverageOf({ format: historyFormat, profile: this.profile, contentModel: "append-log", operations }));
    tallyServerErrors(this.serverErrors, operations.length, countServerErrors(operations));
  }

  private noteDepth(op: Operation): void {
    if ((op.kind === "post" || op.kind === "password") && op.request && op.outcome.type === "ok") this.deepest = Math.max(this.deepest, op.request.sequence);
    const outcome = op.outcome;
    if (outcome.type !== "indeterminate" && outcome.wallet) this.deepest = Math.max(this.deepest, outcome.wallet.sequence);
  }
}
