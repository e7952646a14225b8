// What a check gets to work with. Contract checks, the walkthrough and the
// interleaving properties all run against this interface.
import type { ProfileName } from "../../../spec/index.js";
import type { ConnectionSettings } from "../client/connection.js";
import type { Exchange, ProtocolClient, ProtocolClientOptions, RawRequest } from "../client/protocol-client.js";
import type { FindingInput, InterleavingEvidence, RunCoverage } from "./result.js";

/** How far a long case (a randomized property) has got, for progress output. */
export interface CaseProgress {
  /** Randomized runs finished so far. */
  runsDone: number;
  /** Runs the case means to make, when it knows. */
  runsTotal?: number;
  /** Checked operations per second while the workloads ran, and the traffic profile's minimal rate when it has one. */
  operationsPerSecond?: number;
  minimalRate?: number;
  /** Accounts the workloads signed up so far, and the deepest version any of them reached. */
  accounts?: number;
  deepestVersion?: number;
  /** Violations found so far. */
  violations?: number;
  /** A soak's long-lived accounts (counted in the figures above too): how many, their operations, their deepest version. */
  longLived?: { accounts: number; operations: number; deepestVersion: number };
  /** The resident memory of every process running the workloads (--workers), when not only this one's. */
  rssBytes?: number;
}

/**
 * What the stages that build on this folder give every check of a run,
 * each in its own folder by declaration merging (`declare module`), so that
 * the model imports none of them: interleavings/property/settings.ts adds
 * `interleavings`, the run's budget for the interleaving properties.
 */
export interface StageSettings {}

export interface CheckContext extends StageSettings {
  /** The profile the server is checked against: its paths, its bodies, its requirements. */
  readonly profile: ProfileName;
  /** The server under test, without a trailing slash; the first node of a deployment. */
  readonly baseUrl: string;
  /** Every node of the deployment, baseUrl first; just baseUrl for a single server. */
  readonly nodeUrls: readonly string[];
  /** Per-request timeout in milliseconds. */
  readonly timeoutMs: number;
  /** Extra headers and TLS trust of the run, for connections made outside `client` (the api3 WebSocket). */
  readonly connection: ConnectionSettings;
  /** Random id of this run; part of every name from unique(). */
  readonly runId: string;
  /**
   * The check's client. Every exchange lands in the check's result and its
   * response body is checked against the spec (HTTP-2).
   */
  readonly client: CheckClient;
  /** A client like `client` that talks to node `node` of the deployment (an index into nodeUrls); node 0 is `client` itself. */
  nodeClient(node: number): CheckClient;
  /**
   * Options for further clients of this check (own retry policy, own
   * workload), of node `node` (an index into nodeUrls, 0 by default); their
   * exchanges are recorded too.
   */
  clientOptions(node?: number): ProtocolClientOptions;
  /** A name no other check of this or any other run uses, for emails and device ids. */
  unique(label: string): string;
  /** An email address no other check of this or any other run uses. */
  uniqueEmail(label: string): string;
  /** Records a finding; the check goes on. */
  report(finding: FindingInput): void;
  /** Records an exchange made outside `client`. */
  record(exchange: Exchange): void;
  /** Records an exchange made outside `client` only when its shape breaks the spec: of a long run, only what a finding needs. */
  recordOffSpec(exchange: Exchange): void;
  /** Tells the progress display how far the case has got; cheap enough to call after every run. */
  reportProgress(progress: CaseProgress): void;
  /** Attaches the history and violations of an interleaving property to the case's result (the last call wins). */
  attachInterleaving(evidence: InterleavingEvidence): void;
  /** Attaches what the run's randomized workloads exercised (the last call wins). */
  attachCoverage(coverage: RunCoverage): void;
  /** Says that the run never did what the case's requirement is about: without findings, its verdict is not-exercised. */
  notExercised(reason: string): void;
}

/**
 * A server may answer a well-formed request 5xx under load (the original's
 * SQLite does), so the typed calls (signup, auth, getWallet, postWallet) and
 * sendWellFormed() retry a 5xx twice. send() never retries: a 5xx to a
 * malformed request stays visible.
 */
export interface CheckClient extends ProtocolClient {
  sendWellFormed(raw: RawRequest): Promise<Exchange>;
}

/** Thrown by a check that cannot go on; its finding is already reported. */
export class CheckAborted extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = "CheckAborted";
  }
}

/**
 * Thrown by a set-up step other cases share (a signup, a login, a first
 * wallet) that the server refused; its finding, under `requirement`, is
 * already reported. The case is then blocked by the case owning that step.
 */
export class SetupRefused extends CheckAborted {
  constructor(
    readonly requirement: string,
    reason: string,
  ) {
    super(reason);
    this.name = "SetupRefused";
  }
}
