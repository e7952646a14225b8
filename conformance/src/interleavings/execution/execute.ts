// Executes one workload against a server: fresh accounts (unique emails, so
// a long-lived shared server is fine), then every device of every account at
// once, then the recorded history checked. The execution is what the
// property examines; nothing here decides pass or fail.
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { ConnectionSettings } from "../../client/connection.js";
import type { ProtocolClient } from "../../client/protocol-client.js";
import { SharedWallets } from "../../client/shared-wallets.js";
import { checkHistory, type HistoryCheck } from "../../history/checker.js";
import { Device } from "./device.js";
import type { FinalReader, FinalReadPlan } from "./final-reads.js";
import type { History } from "../../history/history.js";
import { deploymentNodes } from "./nodes.js";
import { AccountPassword } from "./account-password.js";
import { HistoryRecorder, type RecorderWatch } from "./recorder.js";
import { RunControl, type StopReason } from "./run-control.js";
import { HeldSockets } from "./sockets.js";
import { defaultSettleMs } from "../../defaults.js";
import { accountLabel, countDevices, countMoves, deviceLabel, sharedIdSlots, type Workload } from "../workload/workload.js";

export interface ExecutionEnvironment {
  /** A client for each node of the deployment, in --url order; one for a single server. */
  nodes: readonly ProtocolClient[];
  /** A name no other execution of any run uses (emails and deviceIds are built from it). */
  unique(label: string): string;
  /** Per-request timeout, for the execution's own time bound. */
  timeoutMs: number;
  /** The server's crashes and restarts so far, which histories record, and who watches operations as they are recorded (--restarts). */
  watch?: RecorderWatch;
  /** api3: how long sockets stay open after the devices are done, for late frames and closes (default defaultSettleMs). */
  settleMs?: number;
  /** api3: the run's extra headers and TLS trust, for the sockets (opened outside the nodes' clients). */
  connection?: ConnectionSettings;
  /** The largest wallet the server accepted when the run probed it; edits that ask for "the largest" use it. */
  largestWalletBytes?: number;
  /** Aborted when the run is interrupted: devices stop starting requests. */
  interrupt?: AbortSignal;
}

export interface Execution {
  /** Unique name of the execution; part of its emails and deviceIds. */
  tag: string;
  workload: Workload;
  history: History;
  check: HistoryCheck;
  accountsCreated: number;
  /** Devices that got a token; 0 means the server could not be driven at all. */
  devicesLoggedIn: number;
  durationMs: number;
  /** Set when devices stopped before the end of their scripts. */
  stopped?: StopReason;
  /** How to read the accounts it wrote once more after the workloads (final-reads.ts); absent for executions made elsewhere. */
  finalReads?: FinalReadPlan;
}

/** Stop an execution after this many timeouts: the server is not keeping up, and every further request would wait as long. */
const timeoutLimit = 16;
/** api3: sockets one execution opens at most (one per device of the largest workload). */
const socketLimit = 32;

/** The longest an execution may start requests: generous, since each request may take up to the timeout. */
export function executionTimeLimitMs(timeoutMs: number): number {
  return Math.max(15_000, 2 * timeoutMs);
}

export async function executeWorkload(workload: Workload, env: ExecutionEnvironment): Promise<Execution> {
  const started = performance.now();
  const tag = env.unique("interleaving");
  // Carried into reports with the history; `stopped` is added if devices had to stop early.
  const meta: NonNullable<History["meta"]> = {
    generator: "interleavings",
    execution: tag,
    accounts: workload.accounts.length,
    devices: countDevices(workload),
    moves: countMoves(workload),
  };
  const profile = env.nodes[0]?.profile ?? "seed";
  const recorder = new HistoryRecorder("append-log", meta, env.watch, profile);
  const control = new RunControl(executionTimeLimitMs(env.timeoutMs), timeoutLimit, env.interrupt);
  const shared = sharedIdSlots(workload);
  const sockets = profile === "api3" ? new HeldSockets(recorder, socketLimit, env.connection) : undefined;
  // The execution's devices share the large wallets they read, for as long as it lasts.
  const wallets = new SharedWallets();
  const deviceEnv = {
    nodes: deploymentNodes(env.nodes.map((node) => node.withSharedWallets(wallets))),
    recorder,
    control,
    ...(sockets ? { sockets } : {}),
    ...(env.largestWalletBytes !== undefined ? { largestWalletBytes: env.largestWalletBytes } : {}),
  };
  let accountsCreated = 0;
  const devices: Device[] = [];

  await Promise.all(
    workload.accounts.map(async (account, a) => {
      const password = new AccountPassword(`ws-${tag}-${accountLabel(a)}@example.com`, randomBytes(12).toString("hex"));
      const accountDevices = account.devices.map((script, d) => {
        // The same deviceId in several accounts when the workload shares it (TOKEN-4 says they stay independent).
        const slot = shared[a]?.get(d);
        const deviceId = slot !== undefined ? `${tag}-shared${slot}` : `${tag}-${accountLabel(a)}-${deviceLabel(d)}`;
        const labels = { account: accountLabel(a), client: deviceLabel(d) };
        return new Device(labels, deviceId, password, deviceEnv, script.route);
      });
      devices.push(...accountDevices);
      if (!(await accountDevices[0]!.signUp())) return;
      accountsCreated++;
      await accountDevices[0]!.advance(account);
      await Promise.all(accountDevices.map((device, d) => device.run(account.devices[d]!)));
    }),
  );

  // The sockets get the settle period for late frames and closes, then the client closes them.
  await sockets?.settleAndClose(env.settleMs ?? defaultSettleMs);
  const stopped = control.stopReason;
  if (stopped) meta["stopped"] = stopped;
  const history = recorder.toHistory();
  const readers = finalReaders(devices, history);
  return {
    tag,
    workload,
    history,
    check: checkHistory(history),
    accountsCreated,
    devicesLoggedIn: devices.filter((device) => device.loggedIn).length,
    durationMs: Math.round(performance.now() - started),
    ...(stopped ? { stopped } : {}),
    ...(readers.length > 0 ? { finalReads: { recorder, readers } } : {}),
  };
}

/** One reader for each account that some POST was acknowledged to: its first device that holds a token. */
function finalReaders(devices: readonly Device[], history: History): FinalReader[] {
  const written = new Set<string>();
  for (const op of history.operations) if (op.kind === "post" && op.outcome.type === "ok") written.add(op.account);
  const readers = new Map<string, FinalReader>();
  for (const device of devices) {
    if (!written.has(device.account) || readers.has(device.account)) continue;
    const reader = device.finalReader();
    if (reader) readers.set(device.account, reader);
  }
  return [...readers.values()];
}
