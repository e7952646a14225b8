// The walkthrough's client in each profile, against a server that answers
// what each test scripts and records what the client sent: the api3 client
// algorithm (salt seeds, no echo, GET after 409, password change) and the
// seed profile's requests left as they were.
import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { WebSocketServer } from "ws";
import type { ProfileName } from "../../spec/index.js";
import { ProtocolClient } from "../src/client/protocol-client.js";
import { deriveSecrets, newClientSaltSeed, walletHmac, WalletClient } from "../src/client/wallet-client.js";

interface Answer {
  status: number;
  body: unknown;
}
interface Received {
  method: string;
  path: string;
  body: Record<string, unknown> | undefined;
}

/**
 * Answers each request with the next answer scripted for its method and path
 * (query left out); 500 when none is left. Upgrades of /api/3/websocket with
 * the token "announces" get one frame and a close, with "silent" nothing; any
 * other token is refused with 401.
 */
class ScriptedServer {
  readonly received: Received[] = [];
  private readonly answers = new Map<string, Answer[]>();
  private readonly server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const path = request.url ?? "";
      const text = Buffer.concat(chunks).toString("utf8");
      this.received.push({ method: request.method ?? "", path, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined });
      const answer = this.answers.get(`${request.method} ${path.split("?")[0]}`)?.shift() ?? { status: 500, body: { error: "unscripted" } };
      response.writeHead(answer.status, { "content-type": "application/json" }).end(JSON.stringify(answer.body));
    });
  });

  private readonly sockets = new WebSocketServer({ noServer: true });

  async start(): Promise<string> {
    this.server.on("upgrade", (request, socket, head) => {
      const token = new URL(request.url ?? "", "http://localhost").searchParams.get("token");
      if (token !== "announces" && token !== "silent") {
        const body = '{"error":"Unauthorized: token"}';
        socket.end(`HTTP/1.1 401 Unauthorized\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
        return;
      }
      this.sockets.handleUpgrade(request, socket, head, (ws) => {
        if (token === "announces") {
          ws.send("wallet-update:3");
          ws.close(1000);
        }
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  answer(method: string, path: string, ...answers: Answer[]): void {
    this.answers.set(`${method} ${path}`, [...(this.answers.get(`${method} ${path}`) ?? []), ...answers]);
  }

  reset(): void {
    this.received.length = 0;
    this.answers.clear();
  }

  close(): Promise<void> {
    for (const ws of this.sockets.clients) ws.terminate();
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const email = "joe@example.com";
const root = "123abc2";
const seedA = "a".repeat(64);
const seedB = "b".repeat(64);

/** A deterministic stand-in for Math.random. */
function counter(): () => number {
  let n = 0;
  return () => ((n++ * 37) % 256) / 256;
}

const scripted = new ScriptedServer();
let url = "";
beforeAll(async () => {
  url = await scripted.start();
});
afterAll(() => scripted.close());
beforeEach(() => scripted.reset());

function client(profile: ProfileName, options: { random?: () => number } = {}): WalletClient & { log: string[] } {
  const log: string[] = [];
  const made = new WalletClient(new ProtocolClient({ baseUrl: url, profile }), { print: (line) => log.push(line), ...options });
  made.setAccount(email, root);
  return Object.assign(made, { log });
}

/** An api3 client that knows the account's salt seed, holds a token and has `sequence` as its base. */
function api3ClientAt(sequence: number, encryptedWallet = "-"): WalletClient & { log: string[] } {
  const made = client("api3");
  made.clientSaltSeed = seedA;
  made.authToken = "token-1";
  made.walletState = { sequence, encryptedWallet };
  return made;
}

function walletOf(sequence: number, encryptedWallet: string, clientSaltSeed = seedA, rootPassword = root) {
  const state = { sequence, encryptedWallet };
  return { ...state, hmac: walletHmac(state, deriveSecrets(rootPassword, clientSaltSeed).hmacKey) };
}

test("a wallet's hmac is sha256 of key, sequence and content joined by colons, for short and long wallets of any characters", () => {
  const key = deriveSecrets(root).hmacKey;
  for (const encryptedWallet of ["-", "é€😀".repeat(10), "x".repeat(16 * 1024 - 1), "x".repeat(16 * 1024), `${"é€😀".repeat(100_000)}~pad`]) {
    const expected = createHash("sha256").update(Buffer.from(`${key}:7:${encryptedWallet}`, "utf8")).digest("hex");
    expect(walletHmac({ sequence: 7, encryptedWallet }, key)).toBe(expected);
  }
});

describe("secrets and salt seeds", () => {
  test("the seed profile derives from the root password alone, as before", () => {
    const digest = createHash("sha256").update(root).digest("hex");
    expect(deriveSecrets(root)).toEqual({ loginPassword: digest.slice(0, 10), sdkPassword: digest.slice(10, 20), hmacKey: digest.slice(20) });
  });

  test("api3 derives from the root password and the salt seed: another seed, other secrets; the login password has 8 characters or more", () => {
    const withA = deriveSecrets(root, seedA);
    const digest = createHash("sha256").update(`${seedA}:${root}`).digest("hex");
    expect(withA.loginPassword).toBe(digest.slice(0, 10));
    expect(withA.loginPassword.length).toBeGreaterThanOrEqual(8);
    for (const key of ["loginPassword", "sdkPassword", "hmacKey"] as const) {
      expect(deriveSecrets(root, seedB)[key]).not.toBe(withA[key]);
      expect(deriveSecrets(root)[key]).not.toBe(withA[key]);
    }
  });

  test("a salt seed is 32 bytes of hex: from the system when no randomness is injected, reproducible when it is", () => {
    expect(newClientSaltSeed()).toMatch(/^[0-9a-f]{64}$/);
    expect(newClientSaltSeed()).not.toBe(newClientSaltSeed());
    expect(newClientSaltSeed(counter())).toBe(newClientSaltSeed(counter()));
    expect(newClientSaltSeed(counter())).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("the api3 client (CLIENT-2, CLIENT-7, CLIENT-8)", () => {
  test("signs up under /api/3 with a salt seed of its making and the password derived from it, and keeps the seed for a retry", async () => {
    const c1 = client("api3", { random: counter() });
    scripted.answer("POST", "/api/3/signup", { status: 500, body: { error: "lost" } }, { status: 201, body: { verified: true } });
    await c1.register();
    await c1.register();
    expect(c1.clientSaltSeed).toBe(newClientSaltSeed(counter()));
    const [first, second] = scripted.received;
    expect(first).toEqual({
      method: "POST",
      path: "/api/3/signup",
      body: { email, password: deriveSecrets(root, c1.clientSaltSeed).loginPassword, clientSaltSeed: c1.clientSaltSeed },
    });
    expect(second?.body).toEqual(first?.body);
    expect(c1.log.at(-1)).toBe("Registered");
  });

  test("fetches the salt seed by its email in base64 and logs in with the password derived from it", async () => {
    const c2 = client("api3");
    scripted.answer("GET", "/api/3/client-salt-seed", { status: 200, body: { clientSaltSeed: seedB } });
    scripted.answer("POST", "/api/3/auth/full", { status: 200, body: { token: "token-2" } });
    await c2.getAuthToken();
    expect(scripted.received.map((r) => r.path)).toEqual([
      `/api/3/client-salt-seed?email=${encodeURIComponent(Buffer.from(email).toString("base64"))}`,
      "/api/3/auth/full",
    ]);
    expect(c2.clientSaltSeed).toBe(seedB);
    expect(scripted.received[1]?.body).toMatchObject({ email, password: deriveSecrets(root, seedB).loginPassword });
    expect(c2.authToken).toBe("token-2");
    expect(c2.log).toEqual(["Got auth token: token-2"]);
  });

  test("refuses a salt seed that is not 64 hex digits, and does not log in without one", async () => {
    const c2 = client("api3");
    scripted.answer("GET", "/api/3/client-salt-seed", { status: 200, body: { clientSaltSeed: "short" } });
    const exchange = await c2.getAuthToken();
    expect(exchange.request.path).toMatch(/^\/api\/3\/client-salt-seed\?/);
    expect(c2.clientSaltSeed).toBeUndefined();
    expect(c2.log[0]).toBe("Error - the answer is not a salt seed");
    expect(scripted.received).toHaveLength(1);
  });

  test("a 200 without echo makes the posted version the base and clears the local changes", async () => {
    const c1 = api3ClientAt(3, "-:a");
    c1.changeEncryptedWallet("beef");
    scripted.answer("POST", "/api/3/wallet", { status: 200, body: {} });
    const outcome = await c1.postWallet();
    expect(outcome).toMatchObject({ kind: "accepted", state: { sequence: 4, encryptedWallet: "-:a:beef" } });
    expect(scripted.received[0]?.body).toEqual({ token: "token-1", ...walletOf(4, "-:a:beef") });
    expect(c1.walletState).toEqual({ sequence: 4, encryptedWallet: "-:a:beef" });
    expect(c1.curEncryptedWallet()).toBe("-:a:beef");
    expect(c1.log).toEqual([
      "Successfully updated wallet state on server",
      "New base walletState:",
      "WalletState(sequence=4, encrypted_wallet='-:a:beef')",
    ]);
  });

  test("a 409 carrying no wallet is followed by a GET whose wallet becomes the base, the local changes rebased on it", async () => {
    const c1 = api3ClientAt(3, "-:a");
    c1.changeEncryptedWallet("beef");
    scripted.answer("POST", "/api/3/wallet", { status: 409, body: { error: "Conflict: Bad sequence number" } });
    scripted.answer("GET", "/api/3/wallet", { status: 200, body: walletOf(4, "-:a:cafe") });
    const outcome = await c1.postWallet();
    expect(outcome.kind).toBe("conflict");
    if (outcome.kind !== "conflict") return;
    expect(outcome.state).toEqual({ sequence: 4, encryptedWallet: "-:a:cafe" });
    expect(outcome.exchange.request.method).toBe("POST");
    expect(outcome.read?.request.path).toBe("/api/3/wallet?token=token-1");
    expect(c1.curEncryptedWallet()).toBe("-:a:cafe:beef");
    expect(c1.log).toEqual([
      "Wallet state out of date. Getting updated wallet state. Try posting again after this.",
      "Got latest walletState:",
      "WalletState(sequence=4, encrypted_wallet='-:a:cafe')",
    ]);
  });

  test("a 409 whose GET fails or brings a wallet the client refuses leaves the base as it was", async () => {
    const c1 = api3ClientAt(3);
    scripted.answer("POST", "/api/3/wallet", { status: 409, body: { error: "Conflict" } }, { status: 409, body: { error: "Conflict" } });
    scripted.answer("GET", "/api/3/wallet", { status: 401, body: { error: "Unauthorized" } });
    const failed = await c1.postWallet();
    expect(failed).toMatchObject({ kind: "error", exchange: { response: { status: 409 } }, read: { response: { status: 401 } } });
    scripted.answer("GET", "/api/3/wallet", { status: 200, body: { ...walletOf(4, "-"), hmac: "0".repeat(64) } });
    const refused = await c1.postWallet();
    expect(refused).toMatchObject({ kind: "invalid", reason: "Error - bad hmac on new wallet", read: { response: { status: 200 } } });
    expect(c1.walletState).toEqual({ sequence: 3, encryptedWallet: "-" });
  });

  test("a password change posts the base re-encrypted as base + 1 with the new secrets, then takes them", async () => {
    const c1 = api3ClientAt(7, "-:a");
    scripted.answer("POST", "/api/3/password", { status: 200, body: {} });
    const outcome = await c1.changePassword("eggsandwich");
    const newSeed = c1.clientSaltSeed as string;
    expect(newSeed).toMatch(/^[0-9a-f]{64}$/);
    expect(newSeed).not.toBe(seedA);
    expect(scripted.received[0]).toEqual({
      method: "POST",
      path: "/api/3/password",
      body: {
        email,
        oldPassword: deriveSecrets(root, seedA).loginPassword,
        newPassword: deriveSecrets("eggsandwich", newSeed).loginPassword,
        clientSaltSeed: newSeed,
        ...walletOf(8, "-:a", newSeed, "eggsandwich"),
      },
    });
    expect(outcome).toMatchObject({ kind: "changed", state: { sequence: 8, encryptedWallet: "-:a" } });
    expect(c1.rootPassword).toBe("eggsandwich");
    expect(c1.nextWalletPost().hmac).toBe(walletOf(9, "-:a", newSeed, "eggsandwich").hmac);
    expect(c1.log).toEqual([
      "Successfully changed the password on server",
      "New base walletState:",
      "WalletState(sequence=8, encrypted_wallet='-:a')",
    ]);
  });

  test("a password change sends no wallet when the client has none on the server, and keeps everything when refused", async () => {
    const c1 = api3ClientAt(0);
    scripted.answer("POST", "/api/3/password", { status: 409, body: { error: "Conflict: Wallet exists" } });
    const outcome = await c1.changePassword("eggsandwich");
    expect(Object.keys(scripted.received[0]?.body ?? {})).toEqual(["email", "oldPassword", "newPassword", "clientSaltSeed"]);
    expect(outcome.kind).toBe("error");
    expect(c1.clientSaltSeed).toBe(seedA);
    expect(c1.rootPassword).toBe(root);
    expect(c1.log[0]).toBe("Error 409");
  });

  test("a password change is refused by the client while local changes wait to be posted", async () => {
    const c1 = api3ClientAt(2);
    c1.changeEncryptedWallet("beef");
    expect(await c1.changePassword("eggsandwich")).toEqual({ kind: "local-changes" });
    expect(scripted.received).toHaveLength(0);
    expect(c1.log).toEqual(["Local changes not posted yet: post the wallet before changing the password."]);
  });

  test("set_local_password takes the new root password with the salt seed the change stored", async () => {
    const c2 = api3ClientAt(2);
    scripted.answer("GET", "/api/3/client-salt-seed", { status: 200, body: { clientSaltSeed: seedB } });
    await c2.setLocalPassword("eggsandwich");
    expect(c2.clientSaltSeed).toBe(seedB);
    expect(c2.nextWalletPost().hmac).toBe(walletOf(3, "-", seedB, "eggsandwich").hmac);
  });
});

describe("the api3 client's notification socket (NOTIFY-1, NOTIFY-2)", () => {
  test("gives the frames in order, then says the server closed the socket", async () => {
    const c2 = api3ClientAt(2);
    c2.authToken = "announces";
    const opened = await c2.startNotifications();
    expect(opened.request.path).toBe("/api/3/websocket?token=announces");
    expect(await c2.nextNotification(2_000)).toBe("wallet-update:3");
    expect(await c2.nextNotification(2_000)).toBeUndefined();
    expect(c2.log).toEqual(["Listening for wallet updates", "The server closed the notification socket"]);
    await c2.stopNotifications();
  });

  test("waits no longer than asked, and prints the refusal of an upgrade", async () => {
    const c2 = api3ClientAt(2);
    c2.authToken = "silent";
    await c2.startNotifications();
    expect(await c2.nextNotification(100)).toBeUndefined();
    await c2.stopNotifications();
    c2.authToken = "ended";
    const refused = await c2.startNotifications();
    expect(refused.response?.status).toBe(401);
    expect(await c2.nextNotification(100)).toBeUndefined();
    expect(c2.log).toEqual([
      "Listening for wallet updates",
      "No notification within 100 ms",
      "Error 401",
      '{"error":"Unauthorized: token"}',
      "No notification socket: start notifications first.",
    ]);
  });
});

describe("the seed profile's client", () => {
  test("signs up without a salt seed, posts with version 1, takes the echo, and has nothing to fetch or change", async () => {
    const c1 = client("seed");
    scripted.answer("POST", "/signup", { status: 201, body: {} });
    await c1.register();
    expect(scripted.received[0]?.body).toEqual({ email, password: deriveSecrets(root).loginPassword });
    expect(await c1.updateDerivedSecrets()).toBeUndefined();
    await expect(c1.changePassword("eggsandwich")).rejects.toThrow(/no password change/);
    await expect(c1.startNotifications()).rejects.toThrow(/no notifications/);
    const state = { sequence: 1, encryptedWallet: "-" };
    const hmac = walletHmac(state, deriveSecrets(root).hmacKey);
    scripted.answer("POST", "/wallet", { status: 200, body: { version: 1, ...state, hmac } });
    c1.authToken = "token-1";
    c1.newWalletState();
    expect((await c1.postWallet()).kind).toBe("accepted");
    expect(scripted.received).toHaveLength(2);
    expect(Object.keys(scripted.received[1]?.body ?? {})).toEqual(["version", "token", "encryptedWallet", "sequence", "hmac"]);
    expect(scripted.received[1]?.body).toEqual({ version: 1, token: "token-1", ...state, hmac });
    expect(c1.log).toEqual([
      "Registered",
      "Successfully updated wallet state on server",
      "Got new walletState:",
      "WalletState(sequence=1, encrypted_wallet='-')",
    ]);
  });
});
