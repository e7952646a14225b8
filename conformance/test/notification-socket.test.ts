// The client side of the api3 notification channel against a WebSocket
// server (ws) that sends what each test needs: frames in order, the end of
// the socket, a refused upgrade, and what a hostile server may send.
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { WebSocketServer, type WebSocket as ServerSocket } from "ws";
import { NotificationSocket, notificationUrl } from "../src/client/notification-socket.js";
import { ProtocolClient } from "../src/client/protocol-client.js";
import { maxNotificationFrameBytes, maxQueuedNotifications } from "../src/defaults.js";

/** What the server does with a socket, by the token it was opened with. */
const behaviours: Record<string, (socket: ServerSocket) => void> = {
  "two-then-close": (socket) => {
    socket.send("wallet-update:1");
    socket.send("wallet-update:2");
    socket.close(1000);
  },
  silent: () => undefined,
  oversized: (socket) => socket.send("x".repeat(maxNotificationFrameBytes + 1)),
  binary: (socket) => socket.send(Buffer.from([1, 2, 3])),
  flood: (socket) => {
    for (let n = 1; n <= maxQueuedNotifications + 100; n++) socket.send(`wallet-update:${n}`);
  },
};

let server: Server;
let base = "";
beforeAll(async () => {
  const sockets = new WebSocketServer({ noServer: true });
  server = createServer((_request, response) => response.writeHead(404).end());
  server.on("upgrade", (request, socket, head) => {
    const token = new URL(request.url ?? "", "http://localhost").searchParams.get("token") ?? "";
    const behave = behaviours[token];
    if (!request.url?.startsWith("/api/3/websocket?") || !behave) {
      socket.end('HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\ncontent-length: 21\r\n\r\n{"error":"no token"}\n');
      return;
    }
    sockets.handleUpgrade(request, socket, head, behave);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const open = async (token: string): Promise<NotificationSocket> => {
  const opened = await NotificationSocket.open(notificationUrl(new ProtocolClient({ baseUrl: base, profile: "api3" }), token), 2_000);
  if (typeof opened === "string") throw new Error(opened);
  return opened;
};

describe("the notification socket", () => {
  test("its address is the profile's websocket path with the token, over ws or wss", () => {
    expect(notificationUrl(new ProtocolClient({ baseUrl: "http://h:1/root/", profile: "api3" }), "a b")).toBe("ws://h:1/root/api/3/websocket?token=a+b");
    expect(notificationUrl(new ProtocolClient({ baseUrl: "https://h", profile: "api3" }), "t")).toBe("wss://h/api/3/websocket?token=t");
  });

  test("gives the frames in order, then the end of the socket", async () => {
    const socket = await open("two-then-close");
    expect(await socket.next(2_000)).toEqual({ kind: "frame", text: "wallet-update:1" });
    expect(await socket.next(2_000)).toEqual({ kind: "frame", text: "wallet-update:2" });
    expect(await socket.next(2_000)).toMatchObject({ kind: "closed", code: 1000 });
    await socket.close();
  });

  test("says so when the upgrade is refused", async () => {
    const refused = await NotificationSocket.open(`${base.replace("http", "ws")}/api/3/websocket?token=unknown`, 2_000);
    expect(refused).toMatch(/refused or dropped/);
  });

  test("waits no longer than asked for a frame that does not come", async () => {
    const socket = await open("silent");
    const started = Date.now();
    expect(await socket.next(100)).toEqual({ kind: "timeout" });
    expect(Date.now() - started).toBeLessThan(1_000);
    await socket.close();
  });

  test("ends a socket whose frame is larger than it reads, and tells binary frames apart", async () => {
    const oversized = await open("oversized");
    expect(await oversized.next(2_000)).toMatchObject({ kind: "closed" });
    await oversized.close();
    const binary = await open("binary");
    expect(await binary.next(2_000)).toEqual({ kind: "binary", bytes: 3 });
    await binary.close();
  });

  test("keeps at most its queue's worth of unread frames and counts the ones it dropped", async () => {
    const socket = await open("flood");
    // Nothing is read until every frame has arrived: the 100 past the queue's size are dropped.
    for (let wait = 0; wait < 150 && socket.dropped < 100; wait++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(socket.dropped).toBe(100);
    const texts: string[] = [];
    for (let event = await socket.next(50); event.kind === "frame"; event = await socket.next(50)) texts.push(event.text);
    expect(texts).toHaveLength(maxQueuedNotifications);
    expect(texts.at(-1)).toBe(`wallet-update:${maxQueuedNotifications}`);
    await socket.close();
  });
});
