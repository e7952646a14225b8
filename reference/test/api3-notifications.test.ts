// The api3 profile's notification channel over real sockets: upgrades and
// their refusals (NOTIFY-1), an announcement of every stored version to every
// socket of the account, in order, and of nothing else (NOTIFY-2, NOTIFY-3),
// sockets closed by a password change, also one whose upgrade raced it
// (NOTIFY-4), and the bounds the server keeps.
import { afterEach, describe, expect, it } from "vitest";
import type { WebSocket } from "ws";
import { announcedSequence } from "../../spec/notifications.js";
import { NotificationHub } from "../src/http/notifications.js";
import type { TokenOwner, UserId } from "../src/store/store.js";
import { bodyOf, InspectableStore, rawExchange, startTestServer, type TestServer } from "./helpers.js";
import { Api3TestClient, defaultPassword, saltSeedOf, UpgradeRefused, type NotificationSocket } from "./support/api3-client.js";

const servers: TestServer[] = [];
const sockets: NotificationSocket[] = [];
async function serve(options: Parameters<typeof startTestServer>[0] = {}): Promise<{ t: TestServer; client: Api3TestClient }> {
  const t = await startTestServer({ protocol: "api3", ...options });
  servers.push(t);
  return { t, client: new Api3TestClient(t.server.url) };
}
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.close();
  await Promise.all(servers.splice(0).map((t) => t.server.close()));
});

let accountNumber = 0;
const freshEmail = (): string => `notify${++accountNumber}@example.com`;

async function open(client: Api3TestClient, token: string): Promise<NotificationSocket> {
  const socket = await client.openSocket(token);
  sockets.push(socket);
  return socket;
}

async function refusal(client: Api3TestClient, token: string): Promise<UpgradeRefused> {
  const outcome = await client.openSocket(token).then(
    (socket) => {
      sockets.push(socket);
      return undefined;
    },
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(UpgradeRefused);
  return outcome as UpgradeRefused;
}

const frames = (...sequences: number[]): string[] => sequences.map((sequence) => `wallet-update:${sequence}`);

/** Every frame must be a walletUpdate message of spec/api3/asyncapi.yaml. */
function sequencesOf(received: string[]): number[] {
  return received.map((frame) => {
    const sequence = announcedSequence(frame);
    expect(sequence, frame).toBeDefined();
    return sequence!;
  });
}

const upgradeRequest = (path: string, headers: Record<string, string>): string =>
  `GET ${path} HTTP/1.1\r\nHost: x\r\n${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join("")}\r\n`;

const handshake = { Connection: "Upgrade", Upgrade: "websocket", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==" };

describe("opening a socket (NOTIFY-1)", () => {
  it("NOTIFY-1: a live token is upgraded (101) and the socket stays open while the client is there, answering its pings", async () => {
    const { client } = await serve();
    const socket = await open(client, await client.tokenFor(freshEmail()));
    const pong = new Promise<string>((resolve) => socket.socket.once("pong", (data) => resolve(String(data))));
    socket.socket.ping("are you there");
    expect(await pong).toBe("are you there");
    expect(await socket.closesWithin(500)).toBeUndefined();
    expect(socket.isOpen).toBe(true);
  });

  it("NOTIFY-1: without a token the upgrade is refused 400, with an unknown or replaced token 401, as JSON without upgrade headers", async () => {
    const { client, t } = await serve();
    const email = freshEmail();
    const replaced = await client.tokenFor(email, "phone");
    await client.tokenFor(email, "phone");
    const cases: Array<[string, number]> = [
      ["/api/3/websocket", 400],
      ["/api/3/websocket?token=" + "0".repeat(64), 401],
      [`/api/3/websocket?token=${replaced}`, 401],
      ["/api/3/websocket?token=", 401],
    ];
    for (const [path, status] of cases) {
      const { text } = await rawExchange(t.server.port, [upgradeRequest(path, handshake)]);
      expect(text, path).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
      expect(text.toLowerCase()).toContain("content-type: application/json; charset=utf-8");
      expect(text.toLowerCase()).not.toMatch(/\r\nupgrade:|sec-websocket-accept/);
      expect((bodyOf(text) as { error: string }).error).toMatch(status === 400 ? /^Bad Request: / : /^Unauthorized: Token Not Found$/);
    }
    expect((await refusal(client, "f".repeat(64))).status).toBe(401);
  });

  it("NOTIFY-1: GET /api/3/websocket without upgrade headers is 400 with a live token, 401 with an unknown one", async () => {
    const { client } = await serve();
    const token = await client.tokenFor(freshEmail());
    const live = await client.get(`/websocket?token=${token}`);
    expect(live.status).toBe(400);
    expect(live.json).toEqual({ error: "Bad Request: Expected a WebSocket upgrade" });
    expect((await client.get("/websocket?token=nope")).status).toBe(401);
    expect((await client.get("/websocket")).status).toBe(400);
  });

  it("NOTIFY-1: a broken handshake with a live token is 400 with a JSON body, never a socket", async () => {
    const { client, t } = await serve();
    const token = await client.tokenFor(freshEmail());
    const path = `/api/3/websocket?token=${token}`;
    const broken: Array<Record<string, string>> = [
      { ...handshake, "Sec-WebSocket-Key": "too short" },
      Object.fromEntries(Object.entries(handshake).filter(([name]) => name !== "Sec-WebSocket-Key")),
      { ...handshake, "Sec-WebSocket-Version": "12" },
      { ...handshake, Upgrade: "h2c" },
      { ...handshake, "Sec-WebSocket-Protocol": "a, , b" },
    ];
    for (const headers of broken) {
      const { text } = await rawExchange(t.server.port, [upgradeRequest(path, headers)]);
      expect(text, JSON.stringify(headers)).toMatch(/^HTTP\/1\.1 400 /);
      expect((bodyOf(text) as { error: string }).error).toMatch(/^Bad Request: /);
    }
  });

  it("HTTP-1, HTTP-2: an upgrade asked of any other path is answered as that request would be, and the connection closed", async () => {
    const { client, t } = await serve();
    const token = await client.tokenFor(freshEmail());
    await client.postWallet(token, 1, "w");
    const read = await rawExchange(t.server.port, [upgradeRequest(`/api/3/wallet?token=${token}`, handshake)]);
    expect(read.text).toMatch(/^HTTP\/1\.1 200 /);
    expect(bodyOf(read.text)).toEqual({ encryptedWallet: "w", sequence: 1, hmac: "hmac-1" });
    const posted = await rawExchange(t.server.port, [upgradeRequest("/api/3/signup", { ...handshake, "Content-Length": "2" }) + "{}"]);
    expect(posted.text).toMatch(/^HTTP\/1\.1 405 /);
    const unknown = await rawExchange(t.server.port, [upgradeRequest("/api/2/websocket", handshake)]);
    expect(bodyOf(unknown.text)).toEqual({ error: "Not Found: Wrong API version. Current version is 3." });
    const post = await rawExchange(t.server.port, [`POST /api/3/websocket?token=${token} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nContent-Length: 0\r\n\r\n`]);
    expect(post.text).toMatch(/^HTTP\/1\.1 405 /);
  });
});

describe("announcements (NOTIFY-2, NOTIFY-3)", () => {
  it("NOTIFY-2: every socket of the account, the poster's included, receives wallet-update:n for each stored version, in order", async () => {
    const { client } = await serve();
    const email = freshEmail();
    const phone = await client.tokenFor(email, "phone");
    const laptop = await client.tokenFor(email, "laptop");
    const [phoneSocket, laptopSocket] = [await open(client, phone), await open(client, laptop)];
    const stranger = await open(client, await client.tokenFor(freshEmail()));
    for (let sequence = 1; sequence <= 5; sequence++) expect((await client.postWallet(sequence % 2 ? phone : laptop, sequence, `w${sequence}`)).status).toBe(200);
    expect(await phoneSocket.framesUntil(5)).toEqual(frames(1, 2, 3, 4, 5));
    expect(await laptopSocket.framesUntil(5)).toEqual(frames(1, 2, 3, 4, 5));
    expect(sequencesOf(phoneSocket.frames)).toEqual([1, 2, 3, 4, 5]);
    expect(await stranger.framesUntil(1, 200)).toEqual([]);
  });

  it("NOTIFY-2, NOTIFY-3: under POSTs racing from four devices, each socket receives exactly the accepted sequences, increasing", async () => {
    const { client } = await serve();
    const email = freshEmail();
    const tokens = await Promise.all(["a", "b", "c", "d"].map((device) => client.tokenFor(email, device)));
    const watchers = [await open(client, tokens[0]!), await open(client, tokens[2]!)];
    let accepted = 0;
    for (let round = 0; round < 10; round++) {
      const next = accepted + 1;
      const replies = await Promise.all(tokens.map((token, i) => client.postWallet(token, next, `round-${round}-${i}`)));
      const winners = replies.filter((reply) => reply.status === 200).length;
      expect(winners).toBe(1);
      accepted += winners;
    }
    const expected = frames(...Array.from({ length: accepted }, (_, i) => i + 1));
    for (const watcher of watchers) expect(await watcher.framesUntil(accepted)).toEqual(expected);
    expect(await watchers[0]!.framesUntil(accepted + 1, 200)).toEqual(expected);
  });

  it("NOTIFY-3: a refused POST (409, 401, 400) announces nothing", async () => {
    const { client } = await serve();
    const token = await client.tokenFor(freshEmail());
    const socket = await open(client, token);
    expect((await client.postWallet(token, 1, "w1")).status).toBe(200);
    expect((await client.postWallet(token, 1, "again")).status).toBe(409);
    expect((await client.postWallet(token, 3, "skipped")).status).toBe(409);
    expect((await client.postWallet("0".repeat(64), 2, "unknown token")).status).toBe(401);
    expect((await client.post("/wallet", { token, encryptedWallet: "w", sequence: 2, hmac: "h", version: 1 })).status).toBe(400);
    expect(await socket.framesUntil(2, 300)).toEqual(frames(1));
    expect((await client.postWallet(token, 2, "w2")).status).toBe(200);
    expect(await socket.framesUntil(2)).toEqual(frames(1, 2));
  });
});

/** A store whose token lookups answer late, as a database's can: the answer is read first and delivered `lagMs` later. */
class LaggingTokenStore extends InspectableStore {
  lagMs = 0;
  override async resolveToken(token: string): Promise<TokenOwner | undefined> {
    const owner = await super.resolveToken(token);
    if (this.lagMs > 0) await new Promise((resolve) => setTimeout(resolve, this.lagMs));
    return owner;
  }
}

/** A store whose token lookups fail once `failing` is set, as a lost database's do. */
class FailingTokenStore extends InspectableStore {
  failing = false;
  override async resolveToken(token: string): Promise<TokenOwner | undefined> {
    if (this.failing) throw new Error("the database is gone");
    return super.resolveToken(token);
  }
}

/** A hub whose endSocket forgets to close: what the race check below must catch. */
class NoRecheckHub extends NotificationHub {
  override endSocket(_userId: UserId, _socket: WebSocket): void {}
}

describe("password changes close sockets (NOTIFY-4)", () => {
  const change = (email: string) => ({ email, oldPassword: defaultPassword, newPassword: "new-login-password", clientSaltSeed: saltSeedOf("b") });

  it("NOTIFY-4: a password change closes every socket of the account with a close frame; other accounts' stay open", async () => {
    const { client } = await serve();
    const email = freshEmail();
    const own = [await open(client, await client.tokenFor(email, "phone")), await open(client, await client.tokenFor(email, "laptop"))];
    const other = await open(client, await client.tokenFor(freshEmail()));
    expect((await client.changePassword(change(email))).status).toBe(200);
    for (const socket of own) expect(await socket.closesWithin(2000)).toEqual({ code: 1000, reason: "Password changed" });
    expect(other.isOpen).toBe(true);
  });

  async function racedUpgrade(notifications?: NotificationHub): Promise<NotificationSocket> {
    const store = new LaggingTokenStore();
    const { client } = await serve({ store, ...(notifications ? { notifications } : {}) });
    const email = freshEmail();
    const token = await client.tokenFor(email);
    store.lagMs = 150;
    // The upgrade reads the token while it is live and is answered after the change ended it.
    const opening = open(client, token);
    await new Promise((resolve) => setTimeout(resolve, 20));
    store.lagMs = 0;
    expect((await client.changePassword(change(email))).status).toBe(200);
    return opening;
  }

  it("NOTIFY-4: a socket whose upgrade ran while the change did is closed too", async () => {
    const socket = await racedUpgrade();
    expect(await socket.closesWithin(2000)).toEqual({ code: 1000, reason: "Password changed" });
  });

  it("NOTIFY-4: the same race leaves the socket open on a server that does not close it after the upgrade", async () => {
    const socket = await racedUpgrade(new NoRecheckHub());
    expect(await socket.closesWithin(500)).toBeUndefined();
  });
});

describe("a token that cannot be checked again", () => {
  it("closes the socket as a server error (1011), not as a password change", async () => {
    const store = new FailingTokenStore();
    const { client } = await serve({ store });
    const token = await client.tokenFor(freshEmail());
    // The upgrade reads the token; the check once the socket is open fails.
    const resolve = store.resolveToken.bind(store);
    let lookups = 0;
    store.resolveToken = async (asked) => {
      if (++lookups === 2) store.failing = true;
      return resolve(asked);
    };
    const socket = await open(client, token);
    expect(await socket.closesWithin(2000)).toEqual({ code: 1011, reason: "Could not check the token again; connect again" });
  });
});

describe("bounds", () => {
  it("a socket beyond the account's cap is refused 429, beyond the server's 503; a closed one frees its place", async () => {
    const { client, t } = await serve({ notificationLimits: { socketsPerAccount: 2, sockets: 3 } });
    const email = freshEmail();
    const token = await client.tokenFor(email);
    const first = await open(client, token);
    await open(client, token);
    const full = await refusal(client, token);
    expect(full.status).toBe(429);
    expect(full.json).toEqual({ error: "Too Many Requests: Too many sockets for this account" });
    const otherToken = await client.tokenFor(freshEmail());
    await open(client, otherToken);
    const serverFull = await refusal(client, otherToken);
    expect(serverFull.status).toBe(503);
    first.close();
    await first.closed;
    for (let turn = 0; turn < 100 && t.server.notifications.count() > 2; turn++) await new Promise((resolve) => setTimeout(resolve, 10));
    await open(client, token);
  });

  it("a frame from the client over 4 KiB ends its socket (1009); smaller ones are ignored", async () => {
    const { client } = await serve();
    const socket = await open(client, await client.tokenFor(freshEmail()));
    socket.socket.send("hello");
    expect(await socket.closesWithin(200)).toBeUndefined();
    socket.socket.send("x".repeat(5000));
    expect((await socket.closesWithin(2000))?.code).toBe(1009);
  });

  it("a socket that leaves more than the allowed bytes unsent is dropped rather than sent more", () => {
    const hub = new NotificationHub({ unsentBytes: 100 });
    const calls: string[] = [];
    const fake = (bufferedAmount: number, name: string) =>
      ({ readyState: 1, bufferedAmount, once: () => undefined, send: () => calls.push(`send ${name}`), terminate: () => calls.push(`terminate ${name}`) }) as unknown as WebSocket;
    hub.add({ userId: 1, deviceId: "reads" }, fake(0, "reads"));
    hub.add({ userId: 1, deviceId: "stalls" }, fake(101, "stalls"));
    hub.walletPosted({ userId: 1, deviceId: "reads" }, { encryptedWallet: "w", sequence: 1, hmac: "h" }, { stored: true, wallet: { encryptedWallet: "w", sequence: 1, hmac: "h" } });
    expect(calls).toEqual(["send reads", "terminate stalls"]);
  });

  it("close() of the server closes its sockets (1001) and does not wait for their clients", async () => {
    const { client, t } = await serve();
    const socket = await open(client, await client.tokenFor(freshEmail()));
    const started = performance.now();
    await t.server.close();
    servers.splice(servers.indexOf(t), 1);
    expect(performance.now() - started).toBeLessThan(2000);
    expect((await socket.closesWithin(2000))?.code).toBe(1001);
  });
});
