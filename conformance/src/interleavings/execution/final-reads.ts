// Final reads (LIN-5 later, as Jepsen reads at the end): once the workloads
// have stopped, every account an execution wrote is read once more, and again
// after a quiet period, with the token its device last got. The reads go into
// the execution's history and the history is checked again, so a version
// acknowledged and lost later (a failover to a lagging replica, a write-back
// cache that drops an entry, a restored old row) is a violation like any
// other: the acknowledged POST, the later read, their times. In a deployment
// every account is read on every node: a node that lags or lost a write shows
// it here.
import { forEachBounded } from "../../for-each-bounded.js";
import type { ProtocolClient } from "../../client/protocol-client.js";
import { checkHistory, type HistoryCheck } from "../../history/checker.js";
import type { History } from "../../history/history.js";
import { deploymentNodes } from "./nodes.js";
import type { HistoryRecorder, OperationLabels } from "./recorder.js";

/** Who reads an account at the end: a device of it that holds a token. */
export interface FinalReader {
  labels: OperationLabels;
  token: string;
  /** The auth generation that issued the token. */
  generation: number;
  /**
   * Logs the device in again (recorded), for a read answered 401: a server
   * may lose its tokens in a crash (spec: durability), never the account.
   */
  renew?: () => Promise<{ token: string; generation: number } | undefined>;
}

/** What an execution needs for its final reads: its recorder, to go on recording, and one reader per account it wrote. */
export interface FinalReadPlan {
  recorder: HistoryRecorder;
  readers: FinalReader[];
}

/** GETs in flight at once across all final reads: one read per account, batched across executions. */
const concurrentReads = 16;

/** What final reads change of an execution: its history and the check of it. */
interface Readable {
  history: History;
  check: HistoryCheck;
  finalReads?: FinalReadPlan;
}

/** One GET per account of every execution on every node, recorded into its history. */
export async function readFinally(executions: ReadonlyArray<Pick<Readable, "finalReads">>, nodes: readonly ProtocolClient[]): Promise<void> {
  const reads = deploymentNodes(nodes).flatMap((node) =>
    executions.flatMap(({ finalReads: plan }) => (plan ? plan.readers.map((reader) => ({ reader, node, recorder: plan.recorder })) : [])),
  );
  await forEachBounded(reads, concurrentReads, async ({ reader, node, recorder }) => {
    const read = async () => {
      const exchange = await node.protocol.getWallet(reader.token);
      recorder.get(node.label !== undefined ? { ...reader.labels, node: node.label } : reader.labels, reader.generation, exchange);
      return exchange;
    };
    const exchange = await read();
    if (exchange.response?.status !== 401 || !reader.renew) return;
    const renewed = await reader.renew();
    if (!renewed) return;
    // The reader keeps the new token for the second round of reads.
    reader.token = renewed.token;
    reader.generation = renewed.generation;
    await read();
  });
}

/** The execution with the final reads in its history, checked again. */
export function withFinalReads<E extends Readable>(execution: E): E {
  const plan = execution.finalReads;
  if (!plan || plan.recorder.operations.length === execution.history.operations.length) return execution;
  const history = plan.recorder.toHistory();
  return { ...execution, history, check: checkHistory(history) };
}
