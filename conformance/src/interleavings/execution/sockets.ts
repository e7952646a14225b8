// The WebSockets devices hold in api3 workloads (the "listen" move): each
// opened with one of its device's tokens, its upgrade and what it receives
// recorded as a socket operation, and closed by the client at the end of the
// execution, once the settle period is over or nothing is awaited any more.
// Bounded: sockets per execution, frames kept per socket, the size of a
// frame, the wait for a close.
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import WebSocket from "ws";
import { checkHistory } from "../history/checker.js";
import type { History, Outcome, SocketOperation } from "../history/history.js";
import { failedOutcome, statusOutcome, type HistoryRecorder, type OperationLabels } from "./recorder.js";

/** Frames kept per socket; later ones are counted as dropped. */
const framesPerSocket = 64;
/** Characters of a frame kept: a wallet-update frame is a few dozen; a longer one is wrong whatever its end. */
const frameTextLimit = 200;
/** The largest message the client accepts before it drops the connection. */
const maxPayloadBytes = 64 * 1024;
/** How long a socket the client closes may take to answer with its close frame. */
const closeWaitMs = 1_000;
/** How often the settle period looks whether anything is still awaited. */
const settlePollMs = 10;

interface HeldSocket {
  socket: WebSocket;
  op: SocketOperation;
}

export class HeldSockets {
  private readonly held: HeldSocket[] = [];
  private opened = 0;

  constructor(
    private readonly recorder: HistoryRecorder,
    /** Sockets one execution may open. */
    private readonly limit: number,
    private readonly timeoutMs: number,
  ) {}

  /** Opens a socket to `url` and records it once the upgrade is answered; undefined past the limit. */
  async open(url: string, labels: OperationLabels, tokenGeneration: number): Promise<SocketOperation | undefined> {
    if (this.opened >= this.limit) return undefined;
    this.opened++;
    const invokedAt = performance.now();
    const socket = new WebSocket(url, { handshakeTimeout: this.timeoutMs, maxPayload: maxPayloadBytes, perMessageDeflate: false });
    const outcome = await upgradeOutcome(socket);
    const op = this.recorder.socket(labels, tokenGeneration, { invokedAt, completedAt: performance.now(), outcome });
    if (outcome.type !== "ok") {
      socket.terminate();
      return op;
    }
    this.held.push({ socket, op });
    let failed = false;
    socket.on("error", () => {
      failed = true;
    });
    socket.on("message", (data, isBinary) => {
      if (op.closed) return;
      if (op.frames.length >= framesPerSocket) {
        op.framesDropped = (op.framesDropped ?? 0) + 1;
        return;
      }
      op.frames.push({ at: performance.now(), text: frameText(data, isBinary) });
    });
    socket.on("close", (code) => {
      if (op.closed) return;
      // 1006: no close frame came; a failure of the client's own (a frame too large) ends it as well.
      const at = performance.now();
      op.closed = code === 1006 || failed ? { by: "drop", at } : { by: "server", at, ...(code !== 1005 ? { code } : {}) };
    });
    return op;
  }

  /** Whether a socket is still open. */
  get anyOpen(): boolean {
    return this.held.some(({ op }) => !op.closed);
  }

  /**
   * Waits until the history would demand nothing more of the open sockets
   * (no frame still missing, no socket of an ended token still open), at
   * most `settleMs`, then closes every socket still open.
   */
  async settleAndClose(settleMs: number): Promise<void> {
    const deadline = performance.now() + settleMs;
    while (this.anyOpen && performance.now() < deadline && this.awaited()) await sleep(settlePollMs);
    await this.closeAll();
  }

  /** Whether closing the open sockets now would leave a frame or a close the checker demands (NOTIFY-2, NOTIFY-4) missing. */
  private awaited(): boolean {
    const now = performance.now();
    const history: History = this.recorder.toHistory();
    history.operations = history.operations.map((op) =>
      op.kind === "socket" && op.outcome.type === "ok" && !op.closed ? { ...op, closed: { by: "client", at: now } } : op,
    );
    const counts = checkHistory(history, { keepPerRequirement: 0 }).violationCounts;
    return (counts["NOTIFY-2"] ?? 0) > 0 || (counts["NOTIFY-4"] ?? 0) > 0;
  }

  /** Closes every open socket, noting that its client closed it; waits a little for each close to complete. */
  async closeAll(): Promise<void> {
    await Promise.all(
      this.held.map(async ({ socket, op }) => {
        if (!op.closed) op.closed = { by: "client", at: performance.now() };
        if (socket.readyState === WebSocket.CLOSED) return;
        const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
        socket.close(1000);
        const timer = sleep(closeWaitMs, "timeout" as const);
        if ((await Promise.race([closed, timer])) === "timeout") socket.terminate();
      }),
    );
  }
}

/** How the upgrade was answered: 101, a refusal with its status, or no answer. */
function upgradeOutcome(socket: WebSocket): Promise<Outcome> {
  return new Promise((resolve) => {
    // ws emits errors as events; one listener stays so that none goes unhandled.
    socket.on("error", (error) => resolve(failedOutcome(/timed out/i.test(error.message) ? "timeout" : "connection", error.message)));
    socket.once("open", () => resolve({ type: "ok", status: 101 }));
    socket.once("unexpected-response", (_request, response) => {
      resolve(statusOutcome("socket", response.statusCode ?? 0));
      response.resume();
      socket.terminate();
    });
  });
}

function frameText(data: WebSocket.RawData, isBinary: boolean): string {
  const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
  if (isBinary) return `(a binary frame of ${bytes.length} bytes)`;
  const text = bytes.toString("utf8");
  return text.length > frameTextLimit ? `${text.slice(0, frameTextLimit)}…` : text;
}
