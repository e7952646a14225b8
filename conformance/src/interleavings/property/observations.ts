// What the executions of a property show, whatever drives them (fast-check
// or a replay): the failing executions worth reporting, each requirement's
// most shrunk one, the 5xx tally for LIN-7, and whether the server could be
// driven at all.
import type { HistoryRequirement } from "../history/findings.js";
import { executeWorkload, type Execution, type ExecutionEnvironment } from "../execution/execute.js";
import type { InterleavingSettings } from "./settings.js";
import { startFailure, type StartFailure } from "../execution/startup.js";
import type { Workload } from "../workload/workload.js";

export interface PropertyEnvironment extends ExecutionEnvironment {
  settings: InterleavingSettings;
  /** Called after every execution; `planned` is unknown once shrinking has begun. */
  onExecution?: (executed: number, planned: number | undefined) => void;
}

/** LIN-7 over every execution: 5xx answers to well-formed requests. */
export interface ServerErrorTally {
  count: number;
  requests: number;
  byStatus: Record<string, number>;
}

export interface PropertyOutcome {
  mode: "generated" | "replayed";
  /** The seed of the generated workloads (the saved one when replaying). */
  seed?: number;
  /** fast-check's path to the final counterexample. */
  path?: string;
  /** Executions made: generated runs, shrink candidates, replay attempts. */
  executions: number;
  runsPlanned: number;
  /** The requirement the first failure broke, which shrinking kept broken. */
  lead?: HistoryRequirement;
  /** The first failing execution, before shrinking. */
  firstFailure?: Execution;
  /** The final, most shrunk failing execution. */
  counterexample?: Execution;
  /** Shrink steps fast-check took, and whether the shrink budget ran out. */
  shrinkSteps: number;
  shrinkCut: boolean;
  /** For each requirement broken in some execution, the last (so the most shrunk) execution that broke it. */
  byRequirement: Map<HistoryRequirement, Execution>;
  /** The last execution made; what reports show when nothing failed. */
  last?: Execution;
  serverErrors: ServerErrorTally;
  /** Set when no execution got a device logged in: nothing was checked. */
  notStarted?: StartFailure;
}

/** The requirements a history breaks, in the order the checker found them. */
export function brokenRequirements(execution: Execution): HistoryRequirement[] {
  return [...new Set(execution.check.violations.map((violation) => violation.requirement))];
}

/** Collects what executions show, whatever drives them. */
export class Observations {
  readonly outcome: PropertyOutcome;
  /** True once some device of some execution logged in: the server can be driven. */
  private driven = false;

  constructor(mode: PropertyOutcome["mode"], runsPlanned: number, private readonly env: PropertyEnvironment) {
    this.outcome = {
      mode,
      executions: 0,
      runsPlanned,
      shrinkSteps: 0,
      shrinkCut: false,
      byRequirement: new Map(),
      serverErrors: { count: 0, requests: 0, byStatus: {} },
    };
  }

  /** Executes the workload; returns the requirements its history breaks. */
  async execute(workload: Workload): Promise<HistoryRequirement[]> {
    const execution = await executeWorkload(workload, this.env);
    const outcome = this.outcome;
    outcome.executions++;
    outcome.last = execution;
    this.env.onExecution?.(outcome.executions, outcome.firstFailure ? undefined : outcome.runsPlanned);
    const errors = outcome.serverErrors;
    errors.requests += execution.history.operations.length;
    for (const warning of execution.check.warnings) {
      errors.count += warning.count;
      for (const [status, n] of Object.entries(warning.byStatus)) errors.byStatus[status] = (errors.byStatus[status] ?? 0) + n;
    }
    this.noteStart(execution);
    const broken = brokenRequirements(execution);
    for (const requirement of broken) outcome.byRequirement.set(requirement, execution);
    return broken;
  }

  private noteStart(execution: Execution): void {
    const outcome = this.outcome;
    if (this.driven) return;
    const failure = startFailure(execution);
    if (!failure) {
      this.driven = true;
      delete outcome.notStarted;
    } else if (!outcome.notStarted || (failure.definite && !outcome.notStarted.definite)) {
      outcome.notStarted = failure;
    }
  }

  /**
   * Executes the workload up to `attempts` times, until its history breaks
   * something: a replayed counterexample may need a few tries to meet the
   * same timing again.
   */
  async executeUntilBroken(workload: Workload, attempts: number): Promise<HistoryRequirement[]> {
    let broken: HistoryRequirement[] = [];
    for (let attempt = 0; attempt < attempts && broken.length === 0 && !this.hopeless; attempt++) {
      broken = await this.execute(workload);
    }
    return broken;
  }

  /** The server refused to let the workload start: further runs are pointless. */
  get hopeless(): boolean {
    return this.outcome.notStarted?.definite === true;
  }
}
