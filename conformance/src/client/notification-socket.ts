// The api3 notification socket as the suite sees it: a WebSocket client (ws)
// that records its upgrade as an Exchange and keeps the frames it receives,
// within fixed bounds whatever a server sends: a timeout for the opening, a
// cap on the frames kept and on the bytes of one frame, bounded waits, and a
// close that always ends the connection.
import { performance } from "node:perf_hooks";
import type { IncomingMessage } from "node:http";
import WebSocket from "ws";
import { maxResponseBytes, maxSocketFrameBytes, maxSocketFrames } from "../defaults.js";
import { readCappedText } from "./bounded-body.js";
import { socketProxyAgent, type ConnectionSettings } from "./connection.js";
import type { Exchange, ReceivedResponse } from "./protocol-client.js";

export interface SocketOptions {
  /** The server's root, without a trailing slash (http or https). */
  baseUrl: string;
  /** The path with its query string, the profile's prefix included: "/api/3/websocket?token=…". */
  path: string;
  /** How long the upgrade may take, its refusal's body included. */
  openTimeoutMs: number;
  /** Extra headers and TLS trust of the run (--header, --ca, --insecure). */
  connection?: ConnectionSettings;
}

export interface ReceivedFrame {
  /** The payload as UTF-8 text (a binary frame's too). */
  text: string;
  binary: boolean;
  /** performance.now() at arrival. */
  at: number;
}

export interface SocketClose {
  /** The close frame's code; 1005 for a close frame without one, 1006 when the connection ended without a close frame. */
  code: number;
  reason: string;
  at: number;
}

/** The upgrade as an exchange; `socket` once the server switched protocols (101). */
export interface SocketOpening {
  exchange: Exchange;
  socket?: NotificationSocket;
}

/** The headers every upgrade carries; the key is random per request and left out of the record. */
const upgradeHeaders = { connection: "Upgrade", upgrade: "websocket", "sec-websocket-version": "13" };

/** How long close() waits for the server's side of the closing handshake before it drops the connection. */
const closeHandshakeMs = 1_000;
/** How often a wait looks at the socket's state besides its events (a close frame received is no event of ws's). */
const pollMs = 50;

/** Opens a socket; resolves with the exchange whatever happens (101, another status, no answer in time). */
export function openSocket(options: SocketOptions): Promise<SocketOpening> {
  const startedAt = performance.now();
  const exchange: Exchange = {
    request: { method: "GET", path: options.path, headers: { ...upgradeHeaders } },
    startedAt,
    endedAt: startedAt,
  };
  const connection = options.connection;
  // Through HTTPS_PROXY / HTTP_PROXY unless NO_PROXY exempts the server, as every request of the run.
  const agent = socketProxyAgent(options.baseUrl);
  const ws = new WebSocket(`${options.baseUrl}${options.path}`, {
    ...(agent ? { agent } : {}),
    handshakeTimeout: options.openTimeoutMs,
    maxPayload: maxSocketFrameBytes,
    perMessageDeflate: false,
    followRedirects: false,
    headers: { ...connection?.headers },
    ...(connection?.ca !== undefined ? { ca: connection.ca } : {}),
    ...(connection?.insecure ? { rejectUnauthorized: false } : {}),
  });
  const socket = new NotificationSocket(ws);

  return new Promise<SocketOpening>((resolve) => {
    let settled = false;
    const settle = (opening: SocketOpening) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      exchange.endedAt = performance.now();
      resolve(opening);
    };
    const fail = (kind: "timeout" | "connection" | "unreadable", message: string) => {
      if (settled) return;
      if (exchange.response?.status === 101) {
        // Switched protocols, but the handshake did not check out (ws refused its Sec-WebSocket-Accept, say).
        delete exchange.response;
        exchange.failure = { kind: "unreadable", message: `the 101 answer is no valid WebSocket handshake: ${message}` };
      } else exchange.failure = { kind, message };
      ws.terminate();
      settle({ exchange });
    };
    // A guard over the whole opening: ws's own timeout covers the handshake, not a refusal's slow body.
    const timer = setTimeout(() => fail("timeout", `no answer within ${options.openTimeoutMs} ms`), options.openTimeoutMs);
    ws.on("upgrade", (response) => {
      exchange.response = { status: response.statusCode ?? 101, headers: flatHeaders(response), text: "", json: undefined };
    });
    ws.on("open", () => settle({ exchange, socket }));
    ws.on("unexpected-response", (_request, response) => {
      readRefusal(response)
        .then((received) => {
          if (settled) return;
          exchange.response = received;
          ws.terminate();
          settle({ exchange });
        })
        .catch((error: unknown) => fail("unreadable", `the ${response.statusCode} answer: ${error instanceof Error ? error.message : String(error)}`));
    });
    ws.on("error", (error) => {
      const code = (error as { code?: string }).code;
      const timedOut = /timed out/i.test(error.message);
      fail(timedOut ? "timeout" : "connection", timedOut ? `no answer within ${options.openTimeoutMs} ms` : code ? `${code}: ${error.message}` : error.message);
    });
  });
}

async function readRefusal(response: IncomingMessage): Promise<ReceivedResponse> {
  const text = await readCappedText(response, maxResponseBytes);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.statusCode ?? 0, headers: flatHeaders(response), text, json };
}

function flatHeaders(response: IncomingMessage): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return flat;
}

/** An open socket: the frames it received (the first maxSocketFrames), how it closed, and bounded waits on both. */
export class NotificationSocket {
  readonly frames: ReceivedFrame[] = [];
  /** Frames received past the cap, counted and dropped. */
  framesDropped = 0;
  closed: SocketClose | undefined;
  /** Why the client ended the connection itself (a frame past maxSocketFrameBytes), if it did. */
  problem: string | undefined;
  private readonly wakers = new Set<() => void>();
  /** Set once close() began: from then on the closing is the suite's own. */
  private closing = false;

  constructor(private readonly ws: WebSocket) {
    ws.on("message", (data, isBinary) => {
      if (this.frames.length >= maxSocketFrames) this.framesDropped++;
      else this.frames.push({ text: frameText(data), binary: isBinary, at: performance.now() });
      this.wake();
    });
    ws.on("close", (code, reason) => {
      this.closed = { code, reason: reason.toString("utf8"), at: performance.now() };
      this.wake();
    });
    ws.on("error", (error) => {
      // ws closes the connection itself after an error (1009 for a frame past maxPayload); the close event follows.
      this.problem ??= error.message;
      this.closing = true;
    });
  }

  /**
   * Whether the server ended the socket: the connection closed (with or
   * without a close frame), or a close frame came and the connection is still
   * winding down, which ws ends only after its own 30 s timeout.
   */
  get ended(): boolean {
    return this.closed !== undefined || (!this.closing && this.ws.readyState !== WebSocket.OPEN);
  }

  /** Resolves with true as soon as `condition` holds, false when `timeoutMs` passed or the socket ended without it. */
  waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
    if (condition()) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const check = () => {
        if (!condition() && !this.ended) return;
        finish(condition());
      };
      const finish = (result: boolean) => {
        clearTimeout(timer);
        clearInterval(poll);
        this.wakers.delete(check);
        resolve(result);
      };
      const timer = setTimeout(() => finish(condition()), timeoutMs);
      const poll = setInterval(check, pollMs);
      this.wakers.add(check);
      check();
    });
  }

  /** Resolves with true once the server ended the socket (see `ended`), false after `timeoutMs`. */
  waitForEnd(timeoutMs: number): Promise<boolean> {
    return this.waitUntil(() => this.ended, timeoutMs);
  }

  /** Closes politely, and drops the connection when the server does not finish the closing handshake in time. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closing = true;
    const connectionClosed = () => this.closed !== undefined;
    if (this.ws.readyState === WebSocket.OPEN) {
      this.ws.close(1000);
      if (await this.waitUntil(connectionClosed, closeHandshakeMs)) return;
    }
    this.ws.terminate();
    await this.waitUntil(connectionClosed, closeHandshakeMs);
  }

  private wake(): void {
    for (const waker of [...this.wakers]) waker();
  }
}

function frameText(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  return (Buffer.isBuffer(data) ? data : Buffer.from(data)).toString("utf8");
}
