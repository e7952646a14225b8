// When the server is killed during the randomized workloads (--restarts N):
// N crashes spread evenly over the planned runs, each at a moment inside its
// run, the run's devices going on while the server is down and starting
// again (their requests then fail to connect: indeterminate). The next run
// starts once the server answers again, so every run but the crashed ones
// sees a server that is up.
import type { ServerEvent } from "../history/history.js";

/** What the schedule needs of the server: ServerProcess (target/server-process.ts). */
export interface RestartableServer {
  readonly events: readonly ServerEvent[];
  crash(): Promise<void>;
  restart(): Promise<void>;
}

/** Runs between crashes in a soak run (--duration), where the number of runs is not known. */
const soakRunsPerCrash = 10;

export class CrashSchedule {
  /** Delay into the run (ms) of each crash, by run index. */
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
      // From 10 to 160 ms into the run: while its devices are busy, at a different point each time.
      this.due.set(run, 10 + ((k * 53) % 150));
    }
  }

  get events(): readonly ServerEvent[] {
    return this.server.events;
  }

  /** Runs one workload execution, crashing the server during it when one is due; returns once the server is back. */
  async around<T>(execute: () => Promise<T>): Promise<T> {
    await this.outage;
    const delayMs = this.due.get(this.runs++);
    if (delayMs === undefined) return execute();
    let crashing: Promise<void> | undefined;
    const crashNow = () => {
      if (!crashing) {
        crashing = this.server.crash().then(() => this.server.restart());
        // Awaited below; until then a failed restart must not count as unhandled.
        crashing.catch(() => undefined);
      }
      return crashing;
    };
    const timer = setTimeout(crashNow, delayMs);
    try {
      return await execute();
    } finally {
      clearTimeout(timer);
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
