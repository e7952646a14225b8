// The notification socket client stays bounded whatever a server does: an
// upgrade that never comes times out, a refusal is read as an exchange, the
// frames kept and the bytes of one frame are capped, a close frame counts as
// the server ending the socket (with or without closing the connection), and
// close() ends the connection even when the server ignores the handshake.
import { createServer, type Server, type Socket } from "node:net";
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { afterEach, describe, expect, test } from "vitest";
import { WebSocketServer, type WebSocket } from "ws";
import { openSocket } from "../src/client/notification-socket.js";
import { maxSocketFrameBytes, maxSocketFrames } from "../src/defaults.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function listening(server: Server | HttpServer): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      resolve(`http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`);
    });
  });
}

/** A WebSocket server that runs `onOpen` on every socket it accepts. */
async function wsServer(onOpen: (socket: WebSocket) => void): Promise<string> {
  const http = createHttpServer();
  const wss = new WebSocketServer({ server: http });
  wss.on("connection", onOpen);
  const url = await listening(http);
  cleanups.push(async () => {
    for (const client of wss.clients) client.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  });
  return url;
}

/** A TCP server that takes connections and never says a word. */
async function silentServer(): Promise<string> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
  });
  const url = await listening(server);
  cleanups.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return url;
}

const options = (baseUrl: string, path = "/api/3/websocket?token=t") => ({ baseUrl, path, openTimeoutMs: 1_000 });

describe("opening", () => {
  test("an upgrade records a 101 exchange with the path as sent, and gives a socket", async () => {
    const url = await wsServer(() => undefined);
    const opening = await openSocket(options(url));
    cleanups.push(() => opening.socket?.close() ?? Promise.resolve());
    expect(opening.exchange.response?.status).toBe(101);
    expect(opening.exchange.request).toMatchObject({ method: "GET", path: "/api/3/websocket?token=t" });
    expect(opening.exchange.request.headers["upgrade"]).toBe("websocket");
    expect(opening.socket).toBeDefined();
  });

  test("a refusal is an exchange with its status and JSON body, and no socket", async () => {
    const http = createHttpServer((_request, response) => {
      response.writeHead(401, { "content-type": "text/plain; charset=utf-8" }).end('{"error":"Unauthorized: Token Not Found"}');
    });
    const url = await listening(http);
    cleanups.push(() => new Promise<void>((resolve) => http.close(() => resolve())));
    const opening = await openSocket(options(url));
    expect(opening.socket).toBeUndefined();
    expect(opening.exchange.response).toMatchObject({ status: 401, json: { error: "Unauthorized: Token Not Found" } });
  });

  test("a server that never answers the upgrade: a timeout within the opening's bound", async () => {
    const url = await silentServer();
    const started = performance.now();
    const opening = await openSocket(options(url));
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(opening.socket).toBeUndefined();
    expect(opening.exchange.failure?.kind).toBe("timeout");
  });

  test("nothing listening: a connection failure, not an exception", async () => {
    const url = await silentServer();
    await cleanups.pop()?.();
    const opening = await openSocket(options(url));
    expect(opening.exchange.failure?.kind).toBe("connection");
  });
});

describe("frames", () => {
  test("are kept in order up to the cap; later ones are counted and dropped", async () => {
    const url = await wsServer((socket) => {
      for (let n = 1; n <= maxSocketFrames + 10; n++) socket.send(`wallet-update:${n}`);
    });
    const { socket } = await openSocket(options(url));
    cleanups.push(() => socket?.close() ?? Promise.resolve());
    expect(await socket?.waitUntil(() => socket.framesDropped === 10, 3_000)).toBe(true);
    expect(socket?.frames.length).toBe(maxSocketFrames);
    expect(socket?.frames[0]?.text).toBe("wallet-update:1");
    expect(socket?.frames.at(-1)?.text).toBe(`wallet-update:${maxSocketFrames}`);
  });

  test("a frame larger than the cap ends the socket and says why", async () => {
    const url = await wsServer((socket) => socket.send("x".repeat(maxSocketFrameBytes + 1)));
    const { socket } = await openSocket(options(url));
    cleanups.push(() => socket?.close() ?? Promise.resolve());
    expect(await socket?.waitUntil(() => socket.closed !== undefined, 3_000)).toBe(true);
    expect(socket?.frames).toEqual([]);
    expect(socket?.problem).toMatch(/payload/i);
  });

  test("a wait for a frame that never comes ends at its bound with false", async () => {
    const url = await wsServer(() => undefined);
    const { socket } = await openSocket(options(url));
    cleanups.push(() => socket?.close() ?? Promise.resolve());
    const started = performance.now();
    expect(await socket?.waitUntil(() => (socket?.frames.length ?? 0) > 0, 200)).toBe(false);
    // Without its bound the wait would never end; the slack is for a loaded machine.
    expect(performance.now() - started).toBeLessThan(3_000);
  });
});

describe("ending", () => {
  test("the server closing the connection without a close frame ends the socket (1006)", async () => {
    const url = await wsServer((socket) => setTimeout(() => socket.terminate(), 20));
    const { socket } = await openSocket(options(url));
    expect(await socket?.waitForEnd(3_000)).toBe(true);
    expect(socket?.closed?.code).toBe(1006);
  });

  test("a close frame ends the socket at once, even while the server keeps the connection open", async () => {
    const url = await wsServer((socket) => {
      // A close frame written by hand, then deaf: the connection stays open (ws would end it only after 30 s).
      const raw = (socket as unknown as { _socket: Socket })._socket;
      setTimeout(() => {
        raw.write(Buffer.from([0x88, 0x00]));
        raw.pause();
      }, 100);
    });
    const { socket } = await openSocket(options(url));
    cleanups.push(() => socket?.close() ?? Promise.resolve());
    const started = performance.now();
    expect(await socket?.waitForEnd(3_000)).toBe(true);
    // ws alone would end it after 30 s; the slack is for a loaded machine.
    expect(performance.now() - started).toBeLessThan(2_500);
  });

  test("close() ends the connection in bounded time even when the server ignores the closing handshake", async () => {
    const url = await wsServer((socket) => {
      // Never answers a close frame: ws's server would, so its receiving side is paused.
      (socket as unknown as { _socket: Socket })._socket.pause();
    });
    const { socket } = await openSocket(options(url));
    const started = performance.now();
    await socket?.close();
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(socket?.closed).toBeDefined();
    expect(socket?.ended).toBe(true);
  });
});
