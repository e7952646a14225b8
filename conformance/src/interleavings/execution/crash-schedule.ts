// When the server is killed during the randomized workloads (--restarts N):
// N crashes spread evenly over the planned runs, each once its run has had a
// few POSTs acknowledged (a different number each time), so that there is
// something a crash could lose; the run's devices go on while the server is
// down and starting again (their requests then fail to connect:
// indeterminate). A run that ends before its moment came has its crash at
// its end. The next run starts once the server answers again.
import type { Operation, ServerEvent } from "../../history/history.js";
import type { Workload } from "../workload/workload.js";

/** What the schedule needs of the server: ServerProcess (target/server-process.ts). */
export interface RestartableServer {
  readonly events: readonly ServerEvent[];
  crash(): Promise<void>;
  restart(): Promise<void>;
}

/** Kills and restarts around workload executions: this schedule for one server, RollingRestarts (node-restarts.ts) for a deployment. */
export interface ServerRestarts {
  /** The crashes and restarts so far, which histories record. */
  readonly events: readonly ServerEvent[];
  /** Runs one workload execution, with whatever kill and restart is due during it; returns once the servers answer again. */
  around<T>(workload: Workload, execute: (onRecorded?: (operation: Operation) => void) => Promise<T>): Promise<T>;
  /** Waits until the servers answer again (before final reads). */
  settled(): Promise<void>;
}

/** Runs between crashes in a soak run (--duration), where the number of runs is not known. */
const soakRunsPerCrash = 10;

export class CrashSchedule implements ServerRestarts {
  /** Acknowledged POSTs after which each crash comes, by run index. */
  private readonly due = new Map<number, number>();
  private runs = 0;
  private outage: Promise<void> = Promise.resolve();

  constructor(
    private readonly server: RestartableServer,
    restarts: number,
    runsPlanned: number | undefined,
  ) {
    for (let k = 0; k < restarts; k++) {
      const run = runsPlanned === undefined ? (k + 1) * soakRunsPerCrash : Math.floor(((k + 0.5) * runsPlanned) / restarts);
      // After 1 to 12 acknowledged POSTs: while its devices are busy, at a different point each time.
      this.due.set(run, 1 + ((k * 5) % 12));
    }
  }

  get events(): readonly ServerEvent[] {
    return this.server.events;
  }

  /** Runs one workload execution, crashing the server during it when one is due (by run, whatever the workload); returns once the server is back. */
  async around<T>(_workload: Workload, execute: (onRecorded?: (operation: Operation) => void) => Promise<T>): Promise<T> {
    await this.outage;
    const acknowledgements = this.due.get(this.runs++);
    if (acknowledgements === undefined) return execute();
    let crashing: Promise<void> | undefined;
    const crashNow = () => {
      if (!crashing) {
        crashing = this.server.crash().then(() => this.server.restart());
        // Awaited below; until then a failed restart must not count as unhandled.
        crashing.catch(() => undefined);
      }
      return crashing;
    };
    let acknowledged = 0;
    const onRecorded = (operation: Operation) => {
      if (operation.kind === "post" && operation.outcome.type === "ok" && ++acknowledged === acknowledgements) void crashNow();
    };
    try {
      return await execute(onRecorded);
    } finally {
      // A run over before its moment came: the crash happens now, before the next run.
      this.outage = crashNow();
      await this.outage;
    }
  }

  /** Waits until the server answers again (before final reads). */
  async settled(): Promise<void> {
    await this.outage;
  }
}
