// Servers that answer in ways meant to exhaust a client: an endless body, a
// body that trickles, a header flood, JSON nested 200,000 deep, bytes that
// are not HTTP. Raw TCP, so nothing in between tidies the answer. With
// `answerProbe`, a plain GET /wallet (what the suite probes with) gets a
// proper 401 so the run goes on to meet the hostile answers in its cases.
// Every loop here stops when the socket closes or after `lifetimeMs`.
import { createServer, type Server, type Socket } from "node:net";

export const hostileKinds = ["endless-body", "trickling-body", "header-flood", "deep-json", "not-http"] as const;
export type HostileKind = (typeof hostileKinds)[number];

export interface HostileServer {
  url: string;
  close(): Promise<void>;
}

const lifetimeMs = 120_000;
const probeAnswer = 'HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\ncontent-length: 26\r\nconnection: close\r\n\r\n{"error":"token required"}';

export async function startHostileServer(kind: HostileKind, options: { answerProbe: boolean }): Promise<HostileServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    socket.setTimeout(lifetimeMs, () => socket.destroy());
    socket.once("data", (head) => {
      socket.resume(); // the rest of the request is read and dropped
      if (options.answerProbe && head.toString("latin1").startsWith("GET /wallet HTTP/1.1\r\n")) {
        socket.end(probeAnswer);
        return;
      }
      answer[kind](socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Writes `next()` for as long as the socket takes it, waiting for drain so this process stays bounded too. */
function pump(socket: Socket, next: () => string): void {
  const write = () => {
    while (!socket.destroyed && socket.write(next()));
    if (!socket.destroyed) socket.once("drain", write);
  };
  write();
}

const chunk = `${"0".repeat(65_535)}\n`;
const depth = 200_000;
const deepJson = `${"[".repeat(depth)}${"]".repeat(depth)}`;

const answer: Record<HostileKind, (socket: Socket) => void> = {
  "endless-body": (socket) => {
    socket.write("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n");
    pump(socket, () => `${chunk.length.toString(16)}\r\n${chunk}\r\n`);
  },
  "trickling-body": (socket) => {
    socket.write("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n1\r\n[\r\n");
    const timer = setInterval(() => socket.write("1\r\n \r\n"), 100);
    socket.on("close", () => clearInterval(timer));
  },
  "header-flood": (socket) => {
    socket.write("HTTP/1.1 200 OK\r\n");
    let n = 0;
    pump(socket, () => `X-Flood-${++n}: ${"v".repeat(100)}\r\n`);
  },
  "deep-json": (socket) => {
    socket.end(`HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: ${deepJson.length}\r\nconnection: close\r\n\r\n${deepJson}`);
  },
  "not-http": (socket) => {
    socket.end("\u0000\u0001 this is not HTTP \u00ff\r\n\r\n");
  },
};
