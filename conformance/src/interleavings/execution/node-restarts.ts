// Rolling restarts of a deployment (--restarts with one --server-cmd per
// --url): each workload names the nodes it restarts and after how many
// acknowledged POSTs (NodeRestart, workload.ts), so they are replayed and
// shrunk with it. One node is down at a time and the others keep serving;
// devices routed to the one that is down get connection failures
// (indeterminate). A restart the workload did not reach happens at its end,
// and the next workload starts once every node answers again.
import type { Operation, ServerEvent } from "../../history/history.js";
import { nodeLabel } from "../workload/routing.js";
import type { Workload } from "../workload/workload.js";
import type { RestartableServer, ServerRestarts } from "./crash-schedule.js";

export class RollingRestarts implements ServerRestarts {
  constructor(private readonly servers: readonly RestartableServer[]) {}

  /** Every node's crashes and restarts, each named by its node, in time order. */
  get events(): ServerEvent[] {
    return this.servers
      .flatMap((server, index) => server.events.map((event) => ({ ...event, node: nodeLabel(index) })))
      .sort((a, b) => a.at - b.at);
  }

  /** Runs one workload execution, restarting the nodes its workload names while it runs; returns once they all answer again. */
  async around<T>(workload: Workload, execute: (onRecorded?: (operation: Operation) => void) => Promise<T>): Promise<T> {
    const restarts = workload.restarts ?? [];
    if (restarts.length === 0) return execute();
    const absent = restarts.find((restart) => restart.node >= this.servers.length);
    if (absent !== undefined) {
      throw new Error(`the workload restarts ${nodeLabel(absent.node)}, but the suite started ${this.servers.length} nodes (one --server-cmd per --url)`);
    }
    let acknowledged = 0;
    let ended = false;
    let wake = () => {};
    const reached = (posts: number) =>
      new Promise<void>((resolve) => {
        const check = () => (ended || acknowledged >= posts ? resolve() : (wake = check));
        check();
      });
    const rolling = (async () => {
      for (const restart of restarts) {
        await reached(restart.afterPosts);
        const server = this.servers[restart.node]!;
        await server.crash();
        await server.restart();
      }
    })();
    // Awaited below; until then a failed restart must not count as unhandled.
    rolling.catch(() => undefined);
    const onRecorded = (operation: Operation) => {
      if (operation.kind === "post" && operation.outcome.type === "ok") {
        acknowledged++;
        wake();
      }
    };
    try {
      return await execute(onRecorded);
    } finally {
      // Restarts not reached yet happen now, before the next workload.
      ended = true;
      wake();
      await rolling;
    }
  }

  /** Every restart is over when its workload's execution returns. */
  async settled(): Promise<void> {}
}
