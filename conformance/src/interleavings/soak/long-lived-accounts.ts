// A soak's long-lived accounts: signed up once, then worked on by their
// devices (the workloads' Device, drawing moves from the traffic profile)
// until the soak ends, so that their histories grow without end. Beside
// them, newcomers: accounts signed up one after another for the whole soak,
// each posting its first wallet and reading it back, so that the server
// gets as many accounts as it can sign up (ids that wrap after hundreds). Their
// operations are not kept: the recorder streams them into the online
// checker (history/online/), which judges windows as they close and keeps
// only what later operations can still contradict, so memory stays flat
// however long the run. The first violation stops the accounts' devices:
// the requests in flight finish, the accounts are read once more (and again
// after the settle period, as the workloads' final reads do) unless the run
// was interrupted, and the checker judges what is left. A violation found so
// cannot be shrunk like a workload: it comes with the operations that prove
// it, kept when it was found.
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import type { ProfileName } from "../../../../spec/index.js";
import { connectionDispatcher, directConnection, type ConnectionSettings } from "../../client/connection.js";
import type { ProtocolClient } from "../../client/protocol-client.js";
import { AccountPassword } from "../execution/account-password.js";
import { Device, type DeviceEnvironment } from "../execution/device.js";
import { readFinally, type FinalReader } from "../execution/final-reads.js";
import { deploymentNodes } from "../execution/nodes.js";
import { HistoryRecorder } from "../execution/recorder.js";
import { RunControl } from "../execution/run-control.js";
import type { HistoryCoverage } from "../../history/coverage.js";
import type { HistoryRequirement, Violation } from "../../history/findings.js";
import type { Operation } from "../../history/history.js";
import { OnlineChecker, type OnlineStats } from "../../history/online/online-checker.js";
import type { ServerErrorTally } from "../../history/server-errors.js";
import { moveArbitraryFor } from "../workload/arbitrary.js";
import type { TrafficProfile } from "../workload/traffic.js";
import { accountLabel, deviceLabel } from "../workload/workload.js";
import { deviceSeed, MoveDraw } from "./move-draw.js";
import { OperationStream } from "./operation-stream.js";
import type { ThroughputSeries } from "./throughput.js";

/** A change log longer than this is written anew (Device.compactLog): about 35 changes. */
const compactAfterChars = 512;
/** Stop the accounts' devices after this many timeouts: the server is not keeping up. */
const timeoutLimit = 16;
/** A device that could not log in tries again after this pause. */
const loginRetryMs = 250;
/** How often the checker's clock is moved on while no operation comes, and progress is told. */
const tickMs = 500;
/** Above the request timeout, what an operation may take from sending to being recorded. */
const recordingMarginMs = 2000;
/** Connections kept besides the devices' own, for the final reads. */
const finalReadConnections = 4;
/** Violations kept with their operations, per requirement (all are counted). */
const proofsPerRequirement = 3;

export interface LongLivedEnvironment {
  /** A client for each node of the deployment, in --url order. */
  nodes: readonly ProtocolClient[];
  /** The run's extra headers and TLS trust: the accounts' own connections are made with them. */
  connection?: ConnectionSettings;
  unique(label: string): string;
  /** The request timeout: the online checker cuts a window once every request sent before it must have been answered. */
  timeoutMs: number;
  settleMs: number;
  largestWalletBytes?: number;
  traffic: TrafficProfile;
  profile: ProfileName;
  faults: boolean;
  /** The run's seed: each device's moves are drawn from it. */
  seed: number;
  /** performance.now() past which no request is started. */
  until: number;
  /** Aborted when the soak ends early: an interruption, or a failure the workloads found. */
  stop: AbortSignal;
  /** Aborted on an interruption: the accounts are then not read once more. */
  interrupt?: AbortSignal;
  throughput?: ThroughputSeries;
  /** Told now and then while the accounts run, and at the first violation. */
  onProgress?: () => void;
}

/** A violation with the operations it names, as they were when it was found. */
export interface ProvenViolation {
  violation: Violation;
  operations: Operation[];
}

export interface LongLivedOutcome {
  /** Accounts signed up, and devices each. */
  accounts: number;
  devicesPerAccount: number;
  /** Newcomers signed up. */
  newcomers: number;
  /** What their operations exercised. */
  coverage: HistoryCoverage;
  /** The first few violations of each requirement with their operations; `violationCounts` counts all. */
  violations: ProvenViolation[];
  violationCounts: Partial<Record<HistoryRequirement, number>>;
  /** The online checker's figures: operations, windows, the most it held at once. */
  checker: OnlineStats;
  serverErrors: ServerErrorTally;
  /** From the first signup to the checker's last judgement. */
  elapsedMs: number;
  /** When they started (performance.now()): the violations' explanations count time from it. */
  origin: number;
  /** Why the devices stopped before the soak's end, if they did. */
  stopped?: "violation" | "timeouts" | "interrupted";
}

/** What the accounts have done so far, for the progress line. */
export interface LongLivedProgress {
  /** Long-lived accounts and newcomers signed up. */
  accounts: number;
  operations: number;
  deepestVersion: number;
  violations: number;
  elapsedMs: number;
}

export class LongLivedAccounts {
  private readonly checker: OnlineChecker;
  private readonly stream: OperationStream;
  private readonly recorder: HistoryRecorder;
  private readonly control: RunControl;
  /** Stops the devices at the first violation. */
  private readonly violated = new AbortController();
  private readonly proofs: ProvenViolation[] = [];
  private readonly proofCounts = new Map<HistoryRequirement, number>();
  private violationsFound = 0;
  private signedUp = 0;
  private newcomersSignedUp = 0;
  private readonly startedAt = performance.now();
  /** When each busy device (or the final reads) began what it is doing: no request of theirs in flight was sent earlier. */
  private readonly busySince = new Map<object, number>();

  constructor(private readonly env: LongLivedEnvironment) {
    const historyProfile = env.profile === "api3" ? "api3" : "seed";
    this.checker = new OnlineChecker({
      contentModel: "append-log",
      profile: historyProfile,
      maxOperationMs: env.timeoutMs + recordingMarginMs,
      origin: this.startedAt,
      oldestInFlight: () => this.oldestBusy(),
      onViolation: (violation, operations) => this.found(violation, operations),
    });
    this.stream = new OperationStream(this.checker, historyProfile, env.throughput);
    this.recorder = new HistoryRecorder("append-log", undefined, { sink: this.stream.add }, historyProfile);
    const signals = [env.stop, this.violated.signal];
    this.control = new RunControl(Math.max(0, env.until - performance.now()), timeoutLimit, AbortSignal.any(signals));
  }

  /** The recorder, which must keep no operation once it has streamed it. */
  get operationsKept(): number {
    return this.recorder.operations.length;
  }

  /** Whether some operation broke a requirement. */
  get failed(): boolean {
    return this.violationsFound > 0;
  }

  progress(): LongLivedProgress {
    return {
      accounts: this.signedUp + this.newcomersSignedUp,
      operations: this.stream.operations,
      deepestVersion: this.stream.deepestVersion,
      violations: this.violationsFound,
      elapsedMs: performance.now() - this.startedAt,
    };
  }

  /** Runs the accounts until the soak ends, one stops them, or a violation is found; then judges what is left. */
  async run(): Promise<LongLivedOutcome> {
    const { env } = this;
    const { accounts: accountCount, devicesPerAccount } = env.traffic.longLived;
    const ticker = setInterval(() => {
      this.checker.tick(performance.now());
      env.onProgress?.();
    }, tickMs);
    ticker.unref();
    const readers: FinalReader[] = [];
    // Kept-alive connections of their own, one per device (and newcomer) and a few for the final reads,
    // as a wallet app holds them: a fresh connection per request, as the workloads make, would cost the
    // suite more than the server and keep the load far below what the server can take.
    const connections = accountCount * devicesPerAccount + env.traffic.longLived.newcomers + finalReadConnections;
    const dispatcher = connectionDispatcher(env.connection ?? directConnection, { timeoutMs: env.timeoutMs, connections });
    const nodes = env.nodes.map((node) => node.withDispatcher(dispatcher));
    try {
      const tag = env.unique("long-lived");
      // No sockets: a socket held for the whole soak would need its frames streamed to the checker as they come.
      const traffic = { ...env.traffic, moveWeights: { ...env.traffic.longLived.moveWeights, listen: 0 }, wallets: env.traffic.longLived.wallets };
      const moves = moveArbitraryFor({ traffic, profile: env.profile, faults: env.faults });
      const deviceEnv = {
        nodes: deploymentNodes(nodes),
        recorder: this.recorder,
        control: this.control,
        ...(env.largestWalletBytes !== undefined ? { largestWalletBytes: env.largestWalletBytes } : {}),
      };
      const nodeCount = nodes.length;
      const newcomers = Array.from({ length: env.traffic.longLived.newcomers }, (_, lane) => this.welcomeNewcomers(tag, lane, deviceEnv));
      await Promise.all([
        ...newcomers,
        ...Array.from({ length: accountCount }, async (_, a) => {
          const account = `long-${accountLabel(a)}`;
          const password = new AccountPassword(`ws-${tag}-${accountLabel(a)}@example.com`, randomBytes(12).toString("hex"));
          const devices = Array.from({ length: devicesPerAccount }, (_, d) => {
            // In a deployment each device goes round the nodes, starting at its own.
            const route = nodeCount > 1 ? Array.from({ length: nodeCount }, (_, step) => (d + step) % nodeCount) : undefined;
            return new Device({ account, client: deviceLabel(d) }, `${tag}-${accountLabel(a)}-${deviceLabel(d)}`, password, deviceEnv, route);
          });
          if (!(await this.busy(devices[0]!, () => devices[0]!.signUp()))) return;
          this.signedUp++;
          await Promise.all(devices.map((device, d) => this.work(device, new MoveDraw(moves, deviceSeed(env.seed, a, d)))));
          const reader = devices.map((device) => device.finalReader()).find((found) => found !== undefined);
          if (reader) readers.push(reader);
        }),
      ]);
      if (!env.interrupt?.aborted && readers.length > 0) {
        // As the workloads' accounts are: read once more, and again after the settle period.
        const plan = { finalReads: { recorder: this.recorder, readers } };
        await this.busy(plan, () => readFinally([plan], nodes));
        await sleep(env.settleMs);
        await this.busy(plan, () => readFinally([plan], nodes));
      }
    } finally {
      clearInterval(ticker);
      await dispatcher.destroy();
    }
    const check = this.checker.finish();
    const stopped = this.violated.signal.aborted ? "violation" : this.control.stopReason === "timeouts" ? "timeouts" : env.interrupt?.aborted ? "interrupted" : undefined;
    return {
      accounts: this.signedUp,
      devicesPerAccount,
      newcomers: this.newcomersSignedUp,
      coverage: this.stream.coverage(),
      violations: this.proofs,
      violationCounts: check.violationCounts,
      checker: check.stats,
      serverErrors: this.stream.serverErrors,
      elapsedMs: performance.now() - this.startedAt,
      origin: this.startedAt,
      ...(stopped ? { stopped } : {}),
    };
  }

  /** One device until the soak ends: its moves one after another, its log written anew now and then. */
  private async work(device: Device, draw: MoveDraw): Promise<void> {
    while (!this.control.stopped) {
      const loggedIn = await this.busy(device, async () => {
        if (!(await device.ensureLoggedIn())) return false;
        await device.compactLog(compactAfterChars);
        await device.step(draw.next());
        return true;
      });
      if (!loggedIn && !this.control.stopped) await sleep(loginRetryMs);
      // A move that sends nothing (a repeat before any POST) must not keep the event loop from the others.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /**
   * One lane of newcomers until the soak ends: an account signed up, its
   * device logged in, a first wallet posted and read back; then the account
   * is judged to its end and forgotten, and the next one comes. Their
   * numbers run across lanes, so that each name is new.
   */
  private async welcomeNewcomers(tag: string, lane: number, deviceEnv: DeviceEnvironment): Promise<void> {
    const lanes = this.env.traffic.longLived.newcomers;
    for (let n = lane; !this.control.stopped; n += lanes) {
      const account = `new-${n}`;
      const password = new AccountPassword(`ws-${tag}-n${n}@example.com`, randomBytes(12).toString("hex"));
      const device = new Device({ account, client: deviceLabel(0) }, `${tag}-n${n}-${deviceLabel(0)}`, password, deviceEnv);
      const signedUp = await this.busy(device, async () => {
        if (!(await device.signUp())) return false;
        this.newcomersSignedUp++;
        await device.run({ startMs: 0, opening: "post", sharedId: false, moves: [] });
        return true;
      });
      // Every operation of the account is recorded: it is judged to the end, and neither the checker nor the recorder keeps it.
      this.checker.endAccount(account);
      this.recorder.forgetAccount(account);
      if (!signedUp && !this.control.stopped) await sleep(loginRetryMs);
    }
  }

  /** Runs `requests`, marked as in flight from now until they are done (the checker's cuts wait for them). */
  private async busy<T>(who: object, requests: () => Promise<T>): Promise<T> {
    this.busySince.set(who, performance.now());
    try {
      return await requests();
    } finally {
      this.busySince.delete(who);
    }
  }

  private oldestBusy(): number | undefined {
    let oldest: number | undefined;
    for (const since of this.busySince.values()) if (oldest === undefined || since < oldest) oldest = since;
    return oldest;
  }

  private found(violation: Violation, operations: readonly Operation[]): void {
    this.violationsFound++;
    const kept = this.proofCounts.get(violation.requirement) ?? 0;
    if (kept < proofsPerRequirement) {
      this.proofCounts.set(violation.requirement, kept + 1);
      this.proofs.push({ violation, operations: [...operations] });
    }
    if (!this.violated.signal.aborted) {
      this.violated.abort();
      this.env.onProgress?.();
    }
  }
}
