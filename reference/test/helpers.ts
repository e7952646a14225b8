// Shared fixtures of the reference server's tests: a server on a free port
// with a manual clock and a cheap scrypt cost, and a small HTTP client that
// sends bodies as the walkthrough's client does (no Content-Type).
import { once } from "node:events";
import { connect } from "node:net";
import type { Readable } from "node:stream";
import { request } from "undici";
import { MemoryStore, type MemoryStoreOptions, type WalletVersion } from "../src/store/store.js";
import { startReferenceServer, type ReferenceServer, type ReferenceServerOptions } from "../src/http/server.js";

/** Low enough for fast tests; the default store uses the real 16384. */
export const testScryptCost = 64;

export const day = 24 * 60 * 60 * 1000;

export class ManualClock {
  constructor(public nowMs: number = Date.parse("2026-01-01T00:00:00Z")) {}
  readonly now = (): number => this.nowMs;
  advance(ms: number): void {
    this.nowMs += ms;
  }
}

/** A MemoryStore whose state the tests may look at, to see that a refused request changed nothing. */
export class InspectableStore extends MemoryStore {
  constructor(options: MemoryStoreOptions = {}) {
    super({ scryptCost: testScryptCost, ...options });
  }
  accountCount(): number {
    return this.accounts.size;
  }
  tokenCount(): number {
    return this.tokens.size;
  }
  walletCount(): number {
    return this.wallets.size;
  }
  storedPassword(email: string): { salt: Buffer; hash: Buffer; cost: number } | undefined {
    return this.accounts.get(email)?.password;
  }
  tokenKeys(): string[] {
    return [...this.tokens.keys()];
  }
  walletOf(userId: number): WalletVersion | undefined {
    return this.wallets.get(userId);
  }
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
  startedAt: number;
  endedAt: number;
}

export class TestClient {
  constructor(readonly baseUrl: string) {}

  async send(method: string, path: string, body?: string | Uint8Array | Readable, headers: Record<string, string> = {}): Promise<Reply> {
    const startedAt = performance.now();
    const answer = await request(`${this.baseUrl}${path}`, { method: method as "GET", body, headers });
    const text = await answer.body.text();
    return { status: answer.statusCode, headers: answer.headers, text, json: parseJson(text), startedAt, endedAt: performance.now() };
  }

  /** POSTs a value as JSON text without a Content-Type, as requests.post(url, json_string) does. */
  post(path: string, value: unknown): Promise<Reply> {
    return this.send("POST", path, JSON.stringify(value));
  }

  get(path: string): Promise<Reply> {
    return this.send("GET", path);
  }

  getWallet(token: string): Promise<Reply> {
    return this.get(`/wallet?token=${encodeURIComponent(token)}`);
  }

  signup(email: string, password: string): Promise<Reply> {
    return this.post("/signup", { email, password });
  }

  auth(email: string, password: string, deviceId: string): Promise<Reply> {
    return this.post("/auth/full", { email, password, deviceId });
  }

  postWallet(token: string, sequence: number, encryptedWallet: string, hmac = `hmac-${sequence}`): Promise<Reply> {
    return this.post("/wallet", { version: 1, token, encryptedWallet, sequence, hmac });
  }

  /** Signs up (if needed) and returns a token for the device. */
  async tokenFor(email: string, deviceId = "device-1", password = "login-password"): Promise<string> {
    await this.signup(email, password);
    const reply = await this.auth(email, password, deviceId);
    if (reply.status !== 200) throw new Error(`auth failed: ${reply.status} ${reply.text}`);
    return (reply.json as { token: string }).token;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export interface TestServer {
  server: ReferenceServer;
  store: InspectableStore;
  clock: ManualClock;
  client: TestClient;
}

/** A server on a free port; a given store should have been made with `clock` of the result for expiry tests. */
export async function startTestServer(
  options: Omit<ReferenceServerOptions, "store"> & { store?: InspectableStore } = {},
): Promise<TestServer> {
  const clock = new ManualClock();
  const store = options.store ?? new InspectableStore({ clock: clock.now });
  const server = await startReferenceServer({ onError: () => {}, ...options, store });
  return { server, store, clock, client: new TestClient(server.url) };
}

/** The error text of a 4xx/5xx body, failing loudly when the body is not {"error": "<non-empty>"}. */
export function errorText(reply: Reply): string {
  const error = (reply.json as { error?: unknown } | undefined)?.error;
  if (typeof error !== "string" || error === "") throw new Error(`not an error body: ${reply.status} ${reply.text}`);
  return error;
}

export function contentType(reply: Reply): string {
  return String(reply.headers["content-type"] ?? "");
}

/** Writes raw bytes on a new connection and returns everything the server sends until it closes the connection. */
export async function rawExchange(port: number, parts: Array<string | Buffer>, waitMs = 2000): Promise<{ text: string; reset: boolean }> {
  const socket = connect(port, "127.0.0.1");
  await once(socket, "connect");
  const received: Buffer[] = [];
  let reset = false;
  socket.on("data", (chunk: Buffer) => received.push(chunk));
  socket.on("error", () => {
    reset = true;
  });
  const closed = once(socket, "close");
  for (const part of parts) {
    if (socket.destroyed) break;
    if (!socket.write(part)) await Promise.race([once(socket, "drain"), closed]);
  }
  const timer = setTimeout(() => socket.destroy(), waitMs);
  await closed;
  clearTimeout(timer);
  return { text: Buffer.concat(received).toString("utf8"), reset };
}

export function bodyOf(httpText: string): unknown {
  return JSON.parse(httpText.slice(httpText.indexOf("\r\n\r\n") + 4));
}
