// The HTTP layer: body limits and draining, answers to requests node's parser
// refuses, handler exceptions, graceful close, and wrapping the listener.
import { once } from "node:events";
import { createServer, type RequestListener } from "node:http";
import type { AddressInfo } from "node:net";
import { Agent, request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { createReferenceHandler } from "../src/http/server.js";
import type { SetWalletOutcome, UserId, WalletVersion } from "../src/store/store.js";
import { bodyOf, InspectableStore, rawExchange, startTestServer, TestClient, type TestServer } from "./helpers.js";

const servers: TestServer[] = [];
async function serve(options: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  const t = await startTestServer(options);
  servers.push(t);
  return t;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((t) => t.server.close()));
});

describe("body limits (HTTP-4)", () => {
  it("HTTP-4: with the default 1 MiB limit, a body of exactly 1 MiB is read and one byte more is 413", async () => {
    const t = await serve();
    const token = await t.client.tokenFor("limit@example.com");
    const text = JSON.stringify({ version: 1, token, encryptedWallet: "w", sequence: 1, hmac: "h" });
    const exact = text + " ".repeat(1024 * 1024 - text.length);
    expect((await t.client.send("POST", "/wallet", `${exact} `)).status).toBe(413);
    expect((await t.client.getWallet(token)).status).toBe(404);
    expect((await t.client.send("POST", "/wallet", exact)).status).toBe(200);
  });

  it("HTTP-4, HTTP-6: a client still writing a large body receives the 413 after the body is drained, on a reusable connection", async () => {
    const t = await serve({ bodyLimitBytes: 1024 });
    const agent = new Agent({ connections: 1 });
    try {
      const big = Buffer.alloc(3 * 1024 * 1024, 0x20);
      const first = await request(`${t.server.url}/signup`, { method: "POST", body: big, dispatcher: agent });
      expect(first.statusCode).toBe(413);
      expect(await first.body.json()).toEqual({ error: "Request Entity Too Large" });
      const second = await request(`${t.server.url}/nope`, { dispatcher: agent });
      expect(second.statusCode).toBe(404);
      await second.body.dump();
    } finally {
      await agent.close();
    }
  });

  it("HTTP-4: a declared length beyond what the server drains is answered 413 at once and the connection closed", async () => {
    const t = await serve({ bodyLimitBytes: 1024, drainAllowanceBytes: 16 * 1024 });
    const { text } = await rawExchange(t.server.port, [
      "POST /wallet HTTP/1.1\r\nHost: x\r\nContent-Length: 104857600\r\n\r\n",
      Buffer.alloc(1000, 0x20),
    ]);
    expect(text).toMatch(/^HTTP\/1\.1 413 /);
    expect(text.toLowerCase()).toContain("connection: close");
    expect(bodyOf(text)).toEqual({ error: "Request Entity Too Large" });
  });

  it("HTTP-4: a chunked body beyond what the server drains ends the connection, and the server goes on serving", async () => {
    const t = await serve({ bodyLimitBytes: 1024, drainAllowanceBytes: 16 * 1024 });
    const chunk = `${(8192).toString(16)}\r\n${" ".repeat(8192)}\r\n`;
    const { text, reset } = await rawExchange(t.server.port, [
      "POST /wallet HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
      ...Array.from({ length: 64 }, () => chunk),
    ]);
    expect(text === "" ? reset : /^HTTP\/1\.1 413 /.test(text)).toBe(true);
    expect((await t.client.get("/wallet")).status).toBe(400);
  });
});

describe("requests node's parser refuses (HTTP-2, HTTP-6)", () => {
  it("HTTP-6: a malformed request line is answered 400 with a JSON error body", async () => {
    const t = await serve();
    const { text } = await rawExchange(t.server.port, ["THIS IS NOT HTTP\r\n\r\n"]);
    expect(text).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(text).toContain("content-type: application/json; charset=utf-8");
    expect(bodyOf(text)).toEqual({ error: "Bad Request" });
  });

  it("HTTP-6: headers that are too large are answered 431 with a JSON error body", async () => {
    const t = await serve();
    const { text } = await rawExchange(t.server.port, [`GET /wallet HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(64 * 1024)}\r\n\r\n`]);
    expect(text).toMatch(/^HTTP\/1\.1 431 /);
    expect(bodyOf(text)).toEqual({ error: "Request Header Fields Too Large" });
  });

  it("HTTP-5: an absolute-form request target is routed by its path", async () => {
    const t = await serve();
    const { text } = await rawExchange(t.server.port, [
      "GET http://example.com/wallet?token=abc HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n",
    ]);
    expect(text).toMatch(/^HTTP\/1\.1 401 /);
  });

  it("WGET-4: of repeated token parameters the first is used", async () => {
    const t = await serve();
    const token = await t.client.tokenFor("twice@example.com");
    await t.client.postWallet(token, 1, "w");
    expect((await t.client.get(`/wallet?token=${token}&token=nope`)).status).toBe(200);
    expect((await t.client.get(`/wallet?token=nope&token=${token}`)).status).toBe(401);
  });
});

class FailingStore extends InspectableStore {
  override async getWallet(): Promise<WalletVersion | undefined> {
    throw new Error("disk on fire");
  }
}

/** Holds every POST /wallet until released. */
class GatedStore extends InspectableStore {
  private release: () => void = () => {};
  readonly gate = new Promise<void>((resolve) => {
    this.release = resolve;
  });
  open(): void {
    this.release();
  }
  override async setWallet(userId: UserId, wallet: WalletVersion): Promise<SetWalletOutcome> {
    await this.gate;
    return super.setWallet(userId, wallet);
  }
}

describe("handler exceptions", () => {
  it("HTTP-6: an exception in a handler is a 500 with a JSON error body, reported, and the server goes on", async () => {
    const errors: unknown[] = [];
    const t = await serve({ store: new FailingStore(), onError: (error) => errors.push(error) });
    const token = await t.client.tokenFor("fire@example.com");
    const reply = await t.client.getWallet(token);
    expect(reply.status).toBe(500);
    expect(reply.json).toEqual({ error: "Internal Server Error" });
    expect(String(errors[0])).toContain("disk on fire");
    expect((await t.client.postWallet(token, 1, "w")).status).toBe(200);
  });
});

describe("close()", () => {
  it("ends idle keep-alive connections at once and refuses new ones afterwards", async () => {
    const t = await startTestServer();
    const agent = new Agent({ keepAliveTimeout: 60_000 });
    try {
      const reply = await request(`${t.server.url}/nope`, { dispatcher: agent });
      await reply.body.dump();
      const started = performance.now();
      await t.server.close();
      // Node's server would wait for the idle connection to time out (5 s); the slack is for a loaded machine.
      expect(performance.now() - started).toBeLessThan(2_500);
      await expect(request(`${t.server.url}/nope`, { dispatcher: agent })).rejects.toThrow();
    } finally {
      await agent.destroy();
    }
  });

  it("waits for requests in flight, which are answered", async () => {
    const store = new GatedStore();
    const t = await startTestServer({ store });
    const token = await t.client.tokenFor("inflight@example.com");
    const inFlight = t.client.postWallet(token, 1, "w");
    await new Promise((resolve) => setTimeout(resolve, 50));
    let closed = false;
    const closing = t.server.close().then(() => {
      closed = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toBe(false);
    store.open();
    const reply = await inFlight;
    expect(reply.status).toBe(200);
    expect(reply.headers["connection"]).toBe("close");
    await closing;
  });

  it("is bounded: requests that never end are cut after the grace period", async () => {
    const store = new GatedStore();
    const t = await startTestServer({ store, closeGraceMs: 100 });
    const token = await t.client.tokenFor("stuck@example.com");
    const stuck = t.client.postWallet(token, 1, "w").then(
      () => "answered",
      () => "cut",
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    await t.server.close();
    // The request never ends by itself: only the grace period (100 ms) ends it; the slack is for a loaded machine.
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(await stuck).toBe("cut");
    store.open();
  });
});

describe("wrapping the listener", () => {
  it("wrapHandler builds a server around the reference, here one that drops connections on some bodies", async () => {
    const dropping = (inner: RequestListener): RequestListener => (req, res) => {
      if (req.headers["x-drop"] === "yes") req.socket.destroy();
      else inner(req, res);
    };
    const t = await serve({ wrapHandler: dropping });
    await expect(t.client.send("POST", "/signup", "{}", { "x-drop": "yes" })).rejects.toThrow();
    expect((await t.client.signup("kept@example.com", "pw")).status).toBe(201);
  });

  it("createReferenceHandler serves on a server of one's own", async () => {
    const store = new InspectableStore();
    const server = createServer(createReferenceHandler({ store }));
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    try {
      const client = new TestClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
      expect((await client.signup("own@example.com", "pw")).status).toBe(201);
      expect(store.accountCount()).toBe(1);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
