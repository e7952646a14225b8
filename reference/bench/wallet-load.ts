// A plain load generator for the wallet protocol, over autocannon: accounts
// signed up and logged in once, then connections sending the steady-state
// requests of a synced device (GET /wallet, POST /wallet of the stored
// sequence + 1) as fast as the server answers. Used by bench:reference and
// bench:soak.
import { createRequire } from "node:module";
import type { ProfileName } from "../../spec/index.js";

// autocannon ships no types; these are the parts used here.
export interface AutocannonRequest {
  method?: string;
  path?: string;
  body?: string;
  headers?: Record<string, string>;
  setupRequest?: (request: AutocannonRequest, context: Record<string, unknown>) => AutocannonRequest;
  onResponse?: (status: number, body: string, context: Record<string, unknown>) => void;
}
export interface Histogram {
  average: number;
  p50: number;
  p99: number;
  total: number;
}
export interface AutocannonResult {
  requests: Histogram;
  latency: Histogram;
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodeStats: Record<string, { count: number }>;
}
export type Autocannon = (options: { url: string; connections: number; duration: number; requests: AutocannonRequest[] }) => Promise<AutocannonResult>;
export const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

/** An account the load uses, with the newest sequence it has learnt. */
export interface BenchAccount {
  token: string;
  sequence: number;
}

/** The encrypted wallet every POST of the load carries: 251 characters. */
export const walletText = `-${":a1b2".repeat(50)}`;

/** What differs between the profiles for the mix: the paths' prefix and the bodies. */
export interface BenchProfile {
  prefix: string;
  signup(email: string): object;
  wallet(token: string, sequence: number): object;
}

const password = "bench-password";
export const benchProfiles: Record<ProfileName, BenchProfile> = {
  seed: {
    prefix: "",
    signup: (email) => ({ email, password }),
    wallet: (token, sequence) => ({ version: 1, token, encryptedWallet: walletText, sequence, hmac: "h" }),
  },
  api3: {
    prefix: "/api/3",
    signup: (email) => ({ email, password, clientSaltSeed: "a".repeat(64) }),
    wallet: (token, sequence) => ({ token, encryptedWallet: walletText, sequence, hmac: "h" }),
  },
};

/** `count` accounts, each signed up, logged in and given a first wallet; `label` keeps their emails apart from other loads' on one server. */
export async function prepareAccounts(url: string, count: number, profile: BenchProfile, label = "bench"): Promise<BenchAccount[]> {
  const accounts: BenchAccount[] = [];
  for (let i = 0; i < count; i++) {
    const email = `${label}${i}@example.com`;
    await postJson(url, `${profile.prefix}/signup`, profile.signup(email));
    const auth = (await postJson(url, `${profile.prefix}/auth/full`, { email, password, deviceId: "bench" })) as { token: string };
    await postJson(url, `${profile.prefix}/wallet`, profile.wallet(auth.token, 1));
    accounts.push({ token: auth.token, sequence: 1 });
  }
  return accounts;
}

async function postJson(url: string, path: string, body: unknown): Promise<unknown> {
  const response = await fetch(`${url}${path}`, { method: "POST", body: JSON.stringify(body) });
  return response.json();
}

/** The sequence a wallet body carries; undefined for bodies without one (an api3 200 or 409). */
function sequenceIn(body: string): number | undefined {
  try {
    const sequence = (JSON.parse(body) as { sequence?: unknown }).sequence;
    return typeof sequence === "number" ? sequence : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `getsPerPost` GETs to one POST (3 by default); each request picks the next
 * account and the POST carries its next sequence, learnt from the answers
 * that carry one (an api3 POST's do not: its 200 means the posted sequence,
 * and after its 409 the account's next GET tells).
 */
export function mix(accounts: BenchAccount[], profile: BenchProfile, getsPerPost = 3): AutocannonRequest[] {
  let next = 0;
  const pick = (context: Record<string, unknown>): BenchAccount => {
    const account = accounts[next++ % accounts.length]!;
    context["account"] = account;
    return account;
  };
  const learn = (context: Record<string, unknown>, sequence: number | undefined): void => {
    const account = context["account"] as BenchAccount | undefined;
    if (account && sequence !== undefined) account.sequence = Math.max(account.sequence, sequence);
  };
  const get: AutocannonRequest = {
    method: "GET",
    setupRequest: (request, context) => ({ ...request, path: `${profile.prefix}/wallet?token=${pick(context).token}` }),
    onResponse: (status, body, context) => {
      if (status === 200) learn(context, sequenceIn(body));
    },
  };
  const post: AutocannonRequest = {
    method: "POST",
    path: `${profile.prefix}/wallet`,
    setupRequest: (request, context) => {
      const account = pick(context);
      context["posted"] = account.sequence + 1;
      return { ...request, body: JSON.stringify(profile.wallet(account.token, account.sequence + 1)) };
    },
    onResponse: (status, body, context) => {
      if (status === 200) learn(context, sequenceIn(body) ?? (context["posted"] as number));
      else if (status === 409) learn(context, sequenceIn(body));
    },
  };
  return [...Array.from({ length: getsPerPost }, () => get), post];
}

/** Every status's count over some autocannon results. */
export function statusCounts(results: readonly AutocannonResult[]): Map<string, number> {
  const statuses = new Map<string, number>();
  for (const result of results) {
    for (const [status, { count }] of Object.entries(result.statusCodeStats)) statuses.set(status, (statuses.get(status) ?? 0) + count);
  }
  return statuses;
}
