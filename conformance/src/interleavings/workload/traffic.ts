// Traffic profiles: what the randomized workloads are drawn from, as data.
// A profile says how many accounts a workload has and devices each, how
// often each move is drawn, how deep accounts start, how large edited
// wallets are, how many POSTs race one sequence, and the minimal rate
// (checked operations per second) below which a run's result is not
// trusted: a run that never put its load on the server says nothing about
// the server under that load (etcd's robustness tests refuse such results
// too). The arbitraries (arbitrary.ts, depth.ts) read every number from the
// profile, so a new profile is a new record here, not a new code path.
import { defaultDepthCap } from "../../defaults.js";
import { api3MoveKinds, workloadLimits, type MoveKind } from "./workload.js";

export interface Bounds {
  min: number;
  max: number;
}

/** Relative weights: each alternative is drawn in proportion to its weight among the others; 0 never draws it. */
export interface DepthWeights {
  /** No advance: the account starts empty. */
  none: number;
  /** A shallow advance, 1 to `shallowMax` versions. */
  shallow: number;
  /** At a boundary where a narrow sequence column wraps or clamps (depth.ts), up to the cap. */
  boundary: number;
  /** Anywhere from 0 to the cap. */
  anywhere: number;
}

export interface TrafficProfile {
  name: string;
  /** What the profile puts the server through, in a few words (--help, the README's table). */
  stresses: string;
  /** Accounts per workload. */
  accounts: Bounds;
  /** Devices per account, all running at once. */
  devices: Bounds;
  /** Moves per device after its opening request. */
  moves: Bounds;
  /** How often each move is drawn against the others; the api3 moves (password-change, listen, password-change-without-wallet) only in that protocol. */
  moveWeights: Record<MoveKind, number>;
  depth: {
    /** The deepest an account is advanced before its devices start; --depth overrides it. */
    cap: number;
    weights: DepthWeights;
    shallowMax: number;
    /** Depths anywhere up to the cap are drawn only when the cap is above this: with the cap itself, only when --depth raises it. */
    anywhereAbove: number;
  };
  /**
   * An edit's wallet: a few bytes (`plain`) or `padded`; a padded one goes
   * to a boundary size (`boundary`) or to the largest the server accepts
   * (`largest`), weighted among themselves.
   */
  wallets: { plain: number; padded: number; boundary: number; largest: number };
  /** POSTs of one sequence at once after the advance: none, or `min` to `max` of them, weighted. */
  bursts: { none: number; some: number; min: number; max: number };
  /** Checked operations per second while the workloads run, below which a run's result is not trusted; 0: any rate will do. */
  minimalRate: number;
  /**
   * A soak's (--duration) long-lived accounts: signed up once and worked on
   * by their devices for the whole run, drawing their moves as above, so that
   * their histories grow without end (soak/). 0 accounts: none. Their
   * moves are weighted on their own: edits dominate, since their depth is
   * what they are for (a login costs the server a slow hash), and they hold
   * no socket (listen is never drawn). Their edits are padded on their own
   * weights too: rarely, since every padded byte is sent, echoed and read
   * again many times a second, and the soak's load is its point.
   */
  longLived: {
    accounts: number;
    devicesPerAccount: number;
    moveWeights: Record<MoveKind, number>;
    wallets: TrafficProfile["wallets"];
    /**
     * Newcomers signed up at once, one after another for the whole soak:
     * each logs in, posts its first wallet and reads it back, so that a soak
     * signs up accounts at the pace the server allows (ids that wrap after
     * some hundreds). 0: none.
     */
    newcomers: number;
    /**
     * A pause before each of the soak's workloads, in which the long-lived
     * accounts have the server to themselves: a workload signs up its
     * accounts and logs its devices in, each a slow hash that costs the
     * server as much as hundreds of its other requests. 0: back to back.
     */
    workloadPauseMs: number;
  };
}

/** The most long-lived accounts a profile may ask for, and devices each: they run for the whole soak, side by side with the workloads. */
export const longLivedLimits = { accounts: 8, devicesPerAccount: 8, newcomers: 8, workloadPauseMs: 60_000 } as const;

/**
 * Breadth for a verdict in a minute: every move and dimension now and then.
 * No minimal rate: a correct server behind a published rate limit
 * (--rate-limit), a slow password hash or a long way off must still pass.
 */
const defaultTraffic: TrafficProfile = {
  name: "default",
  stresses: "every move and dimension now and then",
  accounts: { min: 2, max: 4 },
  devices: { min: 2, max: 8 },
  moves: { min: 0, max: 8 },
  moveWeights: { edit: 8, get: 4, stale: 1, "skip-ahead": 1, repeat: 1, reauth: 2, "old-token": 1, "password-change": 2, listen: 2, "password-change-without-wallet": 1 },
  // Most accounts start empty or shallow, since each version of an advance is one request after another
  // (against a server 20 ms away, 300 versions take 6 s); a run of about 90 accounts still draws the one-byte boundaries.
  depth: { cap: defaultDepthCap, weights: { none: 10, shallow: 3, boundary: 2, anywhere: 1 }, shallowMax: 40, anywhereAbove: defaultDepthCap },
  // Each byte of a padded wallet is sent, echoed and read again by the other devices: now and then.
  wallets: { plain: 15, padded: 1, boundary: 4, largest: 1 },
  bursts: { none: 3, some: 2, min: 2, max: 32 },
  minimalRate: 0,
  // Four accounts of four devices: each passes 10,000 versions in a 10-minute soak of a nearby server.
  longLived: {
    accounts: 4,
    devicesPerAccount: 4,
    // A login costs the server a slow hash, as much as hundreds of its other requests: one move in 400 logs in.
    moveWeights: { edit: 400, get: 50, stale: 8, "skip-ahead": 8, repeat: 8, reauth: 1, "old-token": 8, "password-change": 1, "password-change-without-wallet": 1, listen: 0 },
    // About one edit in 120 padded to a boundary size and one in 5,000 to the largest wallet: a wallet of 1 MB
    // is read by every device of its account, several copies at once, and more of them at once than that make
    // the suite's memory swing by tens of megabytes.
    wallets: { plain: 120, padded: 1, boundary: 40, largest: 1 },
    // Each newcomer costs the server two slow hashes (signup, login): two at once, a few accounts a second.
    newcomers: 2,
    workloadPauseMs: 0,
  },
};

/** Few accounts with long histories: versions in the thousands, and every write a step further. */
const deepTraffic: TrafficProfile = {
  ...defaultTraffic,
  name: "deep",
  stresses: "long histories: few accounts, thousands of versions",
  accounts: { min: 1, max: 2 },
  devices: { min: 2, max: 4 },
  moves: { min: 2, max: 8 },
  moveWeights: { ...defaultTraffic.moveWeights, edit: 12, reauth: 1 },
  depth: { cap: 3000, weights: { none: 1, shallow: 1, boundary: 2, anywhere: 4 }, shallowMax: 40, anywhereAbove: 0 },
  // An advance is one POST after another: its pace is the server's latency, 50/s at 20 ms.
  minimalRate: 20,
};

/** Many devices and bursts on one or two accounts: the sequence check under the most writers at once. */
const contentionTraffic: TrafficProfile = {
  ...defaultTraffic,
  name: "contention",
  stresses: "many writers on one or two accounts, large bursts",
  accounts: { min: 1, max: 2 },
  devices: { min: 8, max: 16 },
  // Many moves a device: each login (a slow hash) is followed by many writes.
  moves: { min: 6, max: 16 },
  moveWeights: { ...defaultTraffic.moveWeights, edit: 16, get: 2, reauth: 1 },
  depth: { ...defaultTraffic.depth, weights: { none: 6, shallow: 3, boundary: 1, anywhere: 1 } },
  wallets: { plain: 30, padded: 1, boundary: 4, largest: 1 },
  bursts: { none: 1, some: 3, min: 8, max: 32 },
  minimalRate: 25,
};

/** Edits padded to the sizes where columns and buffers end, and to the largest wallet the server accepts. */
const largeWalletsTraffic: TrafficProfile = {
  ...defaultTraffic,
  name: "large-wallets",
  stresses: "a third of the edits padded to boundary sizes or the largest",
  accounts: { min: 2, max: 3 },
  devices: { min: 2, max: 4 },
  moves: { min: 1, max: 6 },
  wallets: { plain: 2, padded: 1, boundary: 3, largest: 1 },
  minimalRate: 10,
};

/**
 * A soak that drives the server near its capacity: long-lived accounts on
 * kept-alive connections with few logins, and small workloads beside them.
 * Without --duration only the workloads run, far below the minimal rate.
 */
const loadTraffic: TrafficProfile = {
  ...defaultTraffic,
  name: "load",
  stresses: "a soak near the server's capacity, logins rare",
  // Few logins a workload for its many moves: each login costs the server a slow hash.
  accounts: { min: 1, max: 1 },
  devices: { min: 2, max: 2 },
  moves: { min: 10, max: 16 },
  moveWeights: { ...defaultTraffic.moveWeights, edit: 32, get: 8, reauth: 1, "password-change": 1 },
  depth: { ...defaultTraffic.depth, weights: { none: 12, shallow: 3, boundary: 1, anywhere: 0 } },
  wallets: { plain: 60, padded: 1, boundary: 4, largest: 1 },
  bursts: { none: 4, some: 1, min: 2, max: 16 },
  minimalRate: 250,
  longLived: {
    accounts: 8,
    devicesPerAccount: 3,
    // Re-logins and password changes (each a slow hash) one move in about 5,000 each, and no wallet
    // padded (the large-wallets profile pads them): a request costs the server and the suite as little as a wallet app's.
    moveWeights: { ...defaultTraffic.longLived.moveWeights, edit: 4000, get: 500, stale: 80, "skip-ahead": 80, repeat: 80, "old-token": 80 },
    wallets: { ...defaultTraffic.longLived.wallets, padded: 0 },
    // No newcomers, and a second between workloads: every signup and login costs the server a slow hash.
    newcomers: 0,
    workloadPauseMs: 1000,
  },
};

// The minimal rates are about a quarter to a third of what the reference, with its real password hash,
// reached in a process of its own on two cores shared with other jobs: a correct server meets them, a run
// that barely moved (a throttled gateway, a stalling server, --rate set low) does not.

/** Every profile by name; the first is the default. */
export const trafficProfiles: readonly TrafficProfile[] = [defaultTraffic, deepTraffic, contentionTraffic, largeWalletsTraffic, loadTraffic];

export const defaultTrafficProfile: TrafficProfile = defaultTraffic;

export const trafficProfileNames: readonly string[] = trafficProfiles.map((profile) => profile.name);

/** The profile of that name, or undefined. */
export function trafficProfileNamed(name: string): TrafficProfile | undefined {
  return trafficProfiles.find((profile) => profile.name === name);
}

/**
 * What is wrong with a profile, one sentence each (none: it can be drawn
 * from). Its workloads must fit what a counterexample file may hold
 * (workloadLimits), so that every failure it finds can be replayed.
 */
export function trafficProfileProblems(profile: TrafficProfile): string[] {
  const problems: string[] = [];
  const within = (what: string, bounds: Bounds, limits: Bounds) => {
    if (!Number.isInteger(bounds.min) || !Number.isInteger(bounds.max) || bounds.min > bounds.max) problems.push(`${what} must be integers with min <= max`);
    else if (bounds.min < limits.min || bounds.max > limits.max) problems.push(`${what} must lie within ${limits.min} to ${limits.max}`);
  };
  const weights = (what: string, values: Record<string, number>) => {
    const entries = Object.entries(values);
    if (entries.some(([, weight]) => !Number.isInteger(weight) || weight < 0)) problems.push(`${what} must be integers of 0 or more`);
    else if (entries.every(([, weight]) => weight === 0)) problems.push(`${what} must not all be 0`);
  };
  within("accounts", profile.accounts, { min: 1, max: workloadLimits.accounts.max });
  within("devices", profile.devices, { min: 1, max: workloadLimits.devices.max });
  within("moves", profile.moves, workloadLimits.moves);
  const devicesInAll = workloadLimits.devicesInAll;
  if (profile.accounts.max * profile.devices.max > devicesInAll) problems.push(`accounts.max × devices.max must be at most ${devicesInAll}`);
  // The seed protocol draws only its own moves: they alone must be drawable.
  const moveWeights = (what: string, values: Record<MoveKind, number>) =>
    weights(what, Object.fromEntries(Object.entries(values).filter(([kind]) => !(api3MoveKinds as readonly string[]).includes(kind))));
  moveWeights("moveWeights", profile.moveWeights);
  weights("depth.weights", { ...profile.depth.weights });
  const walletWeights = (what: string, wallets: TrafficProfile["wallets"]) => {
    weights(what, { plain: wallets.plain, padded: wallets.padded });
    if (wallets.padded > 0) weights(`${what}' padded sizes`, { boundary: wallets.boundary, largest: wallets.largest });
  };
  walletWeights("wallets", profile.wallets);
  weights("bursts", { none: profile.bursts.none, some: profile.bursts.some });
  within("depth cap", { min: profile.depth.cap, max: profile.depth.cap }, { min: 0, max: workloadLimits.depth.max });
  within("depth.shallowMax", { min: profile.depth.shallowMax, max: profile.depth.shallowMax }, { min: 1, max: workloadLimits.depth.max });
  within("bursts", { min: profile.bursts.min, max: profile.bursts.max }, { min: 2, max: workloadLimits.burst.max });
  if (!(profile.minimalRate >= 0) || !Number.isFinite(profile.minimalRate)) problems.push("minimalRate must be a number of 0 or more");
  within("longLived.accounts", { min: profile.longLived.accounts, max: profile.longLived.accounts }, { min: 0, max: longLivedLimits.accounts });
  moveWeights("longLived.moveWeights", profile.longLived.moveWeights);
  walletWeights("longLived.wallets", profile.longLived.wallets);
  within("longLived.newcomers", { min: profile.longLived.newcomers, max: profile.longLived.newcomers }, { min: 0, max: longLivedLimits.newcomers });
  within("longLived.devicesPerAccount", { min: profile.longLived.devicesPerAccount, max: profile.longLived.devicesPerAccount }, { min: 1, max: longLivedLimits.devicesPerAccount });
  within("longLived.workloadPauseMs", { min: profile.longLived.workloadPauseMs, max: profile.longLived.workloadPauseMs }, { min: 0, max: longLivedLimits.workloadPauseMs });
  return problems;
}
