// A concurrent workload as plain data: accounts, their devices, and per
// device a script of moves. Data, not code, so that fast-check can generate
// and shrink it, a counterexample file can hold it, and a report can print
// it. execute.ts turns it into requests.
import type { ProfileName } from "../../../../spec/index.js";
import { walletTexts, type WalletSize } from "../../client/wallet-size.js";
import { faultKindNames, type FaultKind } from "../../faults/fault-kinds.js";
import { describeRoute, nodeLabel, nodesUsed, parseRoute, routeLimits } from "./routing.js";

/** What a device does next; every move first waits `pauseMs`. */
export type Move =
  /**
   * Honest: appends `changes` local changes, posts base + 1, on 409 rebases
   * and retries (bounded); the versions it posts are padded to `wallet`
   * when given (a few bytes otherwise).
   */
  | { kind: "edit"; changes: number; pauseMs: number; wallet?: EditedWallet }
  /** Reads the wallet and takes it as the new base when it is newer. */
  | { kind: "get"; pauseMs: number }
  /** Hostile: posts a sequence `back` below base + 1 (one it has seen already). */
  | { kind: "stale"; back: number; pauseMs: number }
  /** Hostile: posts base + 1 + `by`, a version it has not seen the predecessor of. */
  | { kind: "skip-ahead"; by: number; pauseMs: number }
  /** Hostile: sends its previous POST again, byte for byte (its token included). */
  | { kind: "repeat"; pauseMs: number }
  /** Logs the same device in again, which must end its old token; then maybe uses the old token at once. */
  | { kind: "reauth"; thenOldToken: OldTokenUse | "none"; pauseMs: number }
  /** Hostile: reads or posts with the token its last re-auth replaced. */
  | { kind: "old-token"; use: OldTokenUse; pauseMs: number }
  /**
   * api3: changes the account's password, its wallet re-encrypted at base + 1
   * (on 409 reads and retries, bounded); the account's other devices log in
   * again with the new password when their tokens are refused.
   */
  | { kind: "password-change"; pauseMs: number }
  /**
   * api3, hostile: once the device has seen a wallet, changes the password
   * without wallet fields, which must be refused (PASS-4); after a 409 it
   * logs in with the password it tried, which must be refused too.
   */
  | { kind: "password-change-without-wallet"; pauseMs: number }
  /** api3: opens a WebSocket with the device's token and holds it for the rest of the script. */
  | { kind: "listen"; pauseMs: number };

/** The moves of every profile, honest ones first: shrinking turns the others into these. */
export const seedMoveKinds = ["edit", "get", "stale", "skip-ahead", "repeat", "reauth", "old-token"] as const satisfies readonly Move["kind"][];
/** Moves only the api3 profile has. */
export const api3MoveKinds = ["password-change", "listen", "password-change-without-wallet"] as const satisfies readonly Move["kind"][];

/**
 * A move with --faults may carry a fault (faults/fault-kinds.ts) that the
 * suite's proxy injects into one request the move sends: the one at index
 * `faultAt`, counted from 0 in the order the move sends them (absent: the
 * first, as files written before the index say). A move that sends fewer
 * requests meets no fault.
 */
export type FaultyMove = Move & { fault?: FaultKind; faultAt?: number };

/**
 * The size of an edit's wallet: bytes, or the largest the server accepts
 * (found once per run, largest-wallet.ts), in base64 or in the JSON string
 * range (client/wallet-size.ts).
 */
export interface EditedWallet {
  bytes: number | "largest";
  text: WalletSize["text"];
}

/** The wallet sizes edits draw, smallest first (shrinking goes that way): the boundaries of common column and buffer sizes. */
export const editedWalletBytes = [64, 4096, 32_769, 65_537, "largest"] as const satisfies ReadonlyArray<EditedWallet["bytes"]>;

export type OldTokenUse = "get" | "post";
export type MoveKind = Move["kind"];

export interface DeviceScript {
  /** When the device starts, after its account exists. */
  startMs: number;
  /** "post": posts a first change at once from the empty wallet (concurrent first posts); "get": reads first. */
  opening: "post" | "get";
  /** The k-th device marked so in an account uses the same deviceId as the k-th one of every other account. */
  sharedId: boolean;
  moves: FaultyMove[];
  /** The nodes its requests go to in turn (routing.ts); absent: the only node. */
  route?: number[];
}

export interface AccountScript {
  devices: DeviceScript[];
  /**
   * How deep the account's history is before its devices start: its first
   * device posts versions 1 to `depth` one after the other (0: none).
   */
  depth?: number;
  /**
   * Then `burst` POSTs of version depth + 1 at once, each with other
   * content, all with the first device's token (tabs of one browser); 0 or
   * absent: none.
   */
  burst?: number;
}

/**
 * A node of a deployment killed (SIGKILL) and started again while the
 * workload runs (--restarts with one --server-cmd per --url): once
 * `afterPosts` POSTs of the workload were acknowledged (counted from its
 * start) and the restart before it is over, or at its end if it
 * acknowledges fewer. The other nodes keep serving.
 */
export interface NodeRestart {
  node: number;
  afterPosts: number;
}

export interface Workload {
  accounts: AccountScript[];
  /** Node restarts, one at a time in this order; absent: none (always so for a single server). */
  restarts?: NodeRestart[];
}

/**
 * What a workload may hold, generated (traffic.ts draws within these) or read
 * from a file: a shrunk counterexample is often one account, or accounts of
 * one device each. At most 32 devices in all, so at most 32 requests in flight.
 */
export const workloadLimits = {
  accounts: { min: 1, max: 4 },
  devices: { min: 1, max: 16 },
  devicesInAll: 32,
  moves: { min: 0, max: 16 },
  pauseMs: { min: 0, max: 5 },
  startMs: { min: 0, max: 5 },
  changes: { min: 1, max: 3 },
  back: { min: 1, max: 3 },
  by: { min: 1, max: 3 },
  /** The deepest a workload file may ask for; generated depths are capped lower (depth.ts). */
  depth: { min: 0, max: 4_294_967_295 },
  burst: { min: 0, max: 32 },
  /** Node restarts of one workload, and the acknowledged POSTs each waits for. */
  restarts: { min: 0, max: 8 },
  afterPosts: { min: 1, max: 12 },
  /** Which request of a move its fault hits, from 0 (an edit's retries after 409s and lost answers, with the reads between them, stay below it). */
  faultAt: { min: 0, max: 15 },
} as const;

export const accountLabel = (index: number): string => `a${index}`;
export const deviceLabel = (index: number): string => `d${index}`;

/**
 * Per account, the shared-deviceId slot of each device whose deviceId
 * another account uses too. Slots go by rank among an account's devices
 * marked sharedId, not by index, so shrinking can drop the devices before
 * a sharing one and keep the sharing.
 */
export function sharedIdSlots(workload: Workload): Array<Map<number, number>> {
  const ranks = workload.accounts.map((account) => {
    const slots = new Map<number, number>();
    account.devices.forEach((device, index) => {
      if (device.sharedId) slots.set(index, slots.size);
    });
    return slots;
  });
  const accountsPerSlot = new Map<number, number>();
  for (const slots of ranks) for (const slot of slots.values()) accountsPerSlot.set(slot, (accountsPerSlot.get(slot) ?? 0) + 1);
  return ranks.map((slots) => new Map([...slots].filter(([, slot]) => (accountsPerSlot.get(slot) ?? 0) > 1)));
}

export function countDevices(workload: Workload): number {
  return workload.accounts.reduce((sum, account) => sum + account.devices.length, 0);
}

/** How many nodes the workload's routes and restarts need: 1 when it has none. */
export function nodesNeeded(workload: Workload): number {
  const routes = workload.accounts.flatMap((account) => account.devices.map((device) => device.route));
  return Math.max(1, nodesUsed([...routes, (workload.restarts ?? []).map((restart) => restart.node)]));
}

/** Whether any move of the workload carries a fault. */
export function hasFaults(workload: Workload): boolean {
  return workload.accounts.some((account) => account.devices.some((device) => device.moves.some((move) => move.fault !== undefined)));
}

export function countMoves(workload: Workload): number {
  return workload.accounts.reduce((sum, account) => sum + account.devices.reduce((n, d) => n + d.moves.length, 0), 0);
}

function describeMove(move: FaultyMove): string {
  const fault = move.fault !== undefined ? ` [fault: ${move.fault} on its ${ordinal((move.faultAt ?? 0) + 1)} request]` : "";
  return describeAction(move) + fault;
}

/** "1st", "2nd", "3rd", "4th", "11th", "12th", "21st". */
export function ordinal(n: number): string {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  const suffix = teen ? "th" : ({ 1: "st", 2: "nd", 3: "rd" } as Record<number, string>)[n % 10] ?? "th";
  return `${n}${suffix}`;
}

function describeWallet(wallet: EditedWallet | undefined): string {
  if (wallet === undefined) return "";
  const size = wallet.bytes === "largest" ? "the largest wallet the server accepts" : `${wallet.bytes}-byte wallet`;
  return `, ${size}${wallet.text === "json" ? " with escapes and non-ASCII" : ""}`;
}

function describeAction(move: Move): string {
  const pause = move.pauseMs > 0 ? `${move.pauseMs} ms, ` : "";
  switch (move.kind) {
    case "edit":
      return `${pause}edit ×${move.changes}${describeWallet(move.wallet)}`;
    case "get":
      return `${pause}get`;
    case "stale":
      return `${pause}stale POST (base + 1 - ${move.back})`;
    case "skip-ahead":
      return `${pause}skip-ahead POST (base + 1 + ${move.by})`;
    case "repeat":
      return `${pause}repeat last POST`;
    case "reauth":
      return `${pause}re-auth${move.thenOldToken === "none" ? "" : ` then old-token ${move.thenOldToken.toUpperCase()}`}`;
    case "old-token":
      return `${pause}old-token ${move.use.toUpperCase()}`;
    case "password-change":
      return `${pause}password change`;
    case "password-change-without-wallet":
      return `${pause}password change without the wallet`;
    case "listen":
      return `${pause}listen on a socket`;
  }
}

/**
 * The workload in words, one device a line:
 * "a0/d1 [deviceId s0, shared across accounts] at 2 ms: GET first, then edit ×2 · 3 ms, get · re-auth then old-token GET"
 */
export function describeWorkload(workload: Workload): string[] {
  const shared = sharedIdSlots(workload);
  const lines: string[] = [];
  workload.accounts.forEach((account, a) => {
    const before = describeDepth(account);
    if (before) lines.push(`${accountLabel(a)}: ${before}`);
    account.devices.forEach((device, d) => {
      const slot = shared[a]?.get(d);
      const id = slot !== undefined ? ` [deviceId s${slot}, shared across accounts]` : "";
      const opening = device.opening === "post" ? "POST of a first change at once" : "GET first";
      const moves = device.moves.length > 0 ? `, then ${device.moves.map(describeMove).join(" · ")}` : "";
      lines.push(`${accountLabel(a)}/${deviceLabel(d)}${id}${describeRoute(device.route)} at ${device.startMs} ms: ${opening}${moves}`);
    });
  });
  if (workload.restarts?.length) lines.push(describeRestarts(workload.restarts));
  return lines;
}

/** "restarts, one at a time: n2 after 3 acknowledged POSTs, n1 after 7": the nodes killed and started again, in order. */
export function describeRestarts(restarts: readonly NodeRestart[]): string {
  const each = restarts.map((restart, index) => `${nodeLabel(restart.node)} after ${index === 0 ? count(restart.afterPosts, "acknowledged POST") : restart.afterPosts}`);
  return `restarts${restarts.length > 1 ? ", one at a time" : ""}: ${each.join(", ")}`;
}

/** "advanced to version 25 by d0, then 2 POSTs of version 26 at once with d0's token"; nothing for an account that starts empty. */
export function describeDepth(account: AccountScript): string | undefined {
  const depth = account.depth ?? 0;
  const burst = account.burst ?? 0;
  if (depth === 0 && burst === 0) return undefined;
  const advance = depth > 0 ? `advanced to version ${depth} by ${deviceLabel(0)}` : "";
  const race = burst > 0 ? `${count(burst, "POST")} of version ${depth + 1} at once with ${deviceLabel(0)}'s token` : "";
  return [advance, race].filter((part) => part !== "").join(", then ") + "; then its devices start";
}

/** "2 devices", "1 move": how workloads and their reports count things. */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

// Reading a workload back from a counterexample file: every field checked,
// so that a hand-edited file fails with a message, not deep in a run.

class WorkloadShapeError extends Error {
  override name = "WorkloadShapeError";
}

function fail(where: string, what: string): never {
  throw new WorkloadShapeError(`${where} ${what}`);
}

function record(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) fail(where, "is not an object");
  return value as Record<string, unknown>;
}

function list(value: unknown, where: string, bounds: { min: number; max: number }): unknown[] {
  if (!Array.isArray(value)) fail(where, "is not a list");
  if (value.length < bounds.min || value.length > bounds.max) fail(where, `must have ${bounds.min} to ${bounds.max} entries`);
  return value;
}

function integer(value: unknown, where: string, bounds: { min: number; max: number }): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < bounds.min || value > bounds.max) {
    fail(where, `must be an integer from ${bounds.min} to ${bounds.max}`);
  }
  return value;
}

function oneOf<T extends string>(value: unknown, where: string, allowed: readonly T[]): T {
  if (typeof value !== "string" || !allowed.includes(value as T)) fail(where, `must be one of ${allowed.join(", ")}`);
  return value as T;
}

function parseMove(value: unknown, where: string, profile: ProfileName): FaultyMove {
  const action = parseAction(value, where, profile);
  const { fault, faultAt } = record(value, where);
  if (fault === undefined) {
    if (faultAt !== undefined) fail(`${where}.faultAt`, "needs a fault");
    return action;
  }
  const at = faultAt === undefined ? undefined : integer(faultAt, `${where}.faultAt`, workloadLimits.faultAt);
  // The first request is the index's absence, as in files written before it.
  return { ...action, fault: oneOf(fault, `${where}.fault`, faultKindNames), ...(at ? { faultAt: at } : {}) };
}

function parseAction(value: unknown, where: string, profile: ProfileName): Move {
  const fields = record(value, where);
  const pauseMs = integer(fields["pauseMs"], `${where}.pauseMs`, workloadLimits.pauseMs);
  const kinds = profile === "api3" ? [...seedMoveKinds, ...api3MoveKinds] : seedMoveKinds;
  const kind = oneOf<Move["kind"]>(fields["kind"], `${where}.kind`, kinds);
  switch (kind) {
    case "edit": {
      const changes = integer(fields["changes"], `${where}.changes`, workloadLimits.changes);
      const wallet = fields["wallet"] === undefined ? undefined : parseEditedWallet(fields["wallet"], `${where}.wallet`);
      return { kind, changes, pauseMs, ...(wallet ? { wallet } : {}) };
    }
    case "stale":
      return { kind, back: integer(fields["back"], `${where}.back`, workloadLimits.back), pauseMs };
    case "skip-ahead":
      return { kind, by: integer(fields["by"], `${where}.by`, workloadLimits.by), pauseMs };
    case "reauth":
      return { kind, thenOldToken: oneOf(fields["thenOldToken"], `${where}.thenOldToken`, ["get", "post", "none"]), pauseMs };
    case "old-token":
      return { kind, use: oneOf(fields["use"], `${where}.use`, ["get", "post"]), pauseMs };
    case "get":
    case "repeat":
    case "password-change":
    case "password-change-without-wallet":
    case "listen":
      return { kind, pauseMs };
  }
}

function parseRestart(value: unknown, where: string): NodeRestart {
  const fields = record(value, where);
  return {
    node: integer(fields["node"], `${where}.node`, { min: 0, max: routeLimits.nodes - 1 }),
    afterPosts: integer(fields["afterPosts"], `${where}.afterPosts`, workloadLimits.afterPosts),
  };
}

function parseEditedWallet(value: unknown, where: string): EditedWallet {
  const fields = record(value, where);
  const bytes = fields["bytes"] === "largest" ? "largest" : integer(fields["bytes"], `${where}.bytes`, { min: 1, max: 64 * 1024 * 1024 });
  return { bytes, text: oneOf(fields["text"], `${where}.text`, walletTexts) };
}

function parseDevice(value: unknown, where: string, profile: ProfileName): DeviceScript {
  const fields = record(value, where);
  if (typeof fields["sharedId"] !== "boolean") fail(`${where}.sharedId`, "must be true or false");
  const route = fields["route"] === undefined ? undefined : parseRoute(fields["route"]);
  if (typeof route === "string") fail(`${where}.route`, route);
  return {
    startMs: integer(fields["startMs"], `${where}.startMs`, workloadLimits.startMs),
    opening: oneOf(fields["opening"], `${where}.opening`, ["post", "get"]),
    sharedId: fields["sharedId"],
    moves: list(fields["moves"], `${where}.moves`, workloadLimits.moves).map((m, i) => parseMove(m, `${where}.moves[${i}]`, profile)),
    ...(route !== undefined ? { route } : {}),
  };
}

/** The workload a JSON value describes in a profile (api3 has moves of its own); throws with the first field that is wrong. */
export function parseWorkload(value: unknown, where = "workload", profile: ProfileName = "seed"): Workload {
  const fields = record(value, where);
  const accounts = list(fields["accounts"], `${where}.accounts`, workloadLimits.accounts);
  const restarts = fields["restarts"] === undefined ? undefined : list(fields["restarts"], `${where}.restarts`, workloadLimits.restarts).map((r, i) => parseRestart(r, `${where}.restarts[${i}]`));
  const workload: Workload = {
    accounts: accounts.map((account, a) => {
      const fields = record(account, `${where}.accounts[${a}]`);
      const devices = list(fields["devices"], `${where}.accounts[${a}].devices`, workloadLimits.devices);
      const optional = (name: "depth" | "burst") =>
        fields[name] === undefined ? {} : { [name]: integer(fields[name], `${where}.accounts[${a}].${name}`, workloadLimits[name]) };
      return { devices: devices.map((d, i) => parseDevice(d, `${where}.accounts[${a}].devices[${i}]`, profile)), ...optional("depth"), ...optional("burst") };
    }),
    ...(restarts !== undefined ? { restarts } : {}),
  };
  if (countDevices(workload) > workloadLimits.devicesInAll) fail(`${where}.accounts`, `must have at most ${workloadLimits.devicesInAll} devices in all`);
  return workload;
}
