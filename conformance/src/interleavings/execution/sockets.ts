// The WebSockets devices hold in api3 workloads (the "listen" move), opened
// with the suite's bounded notification socket client: each with one of its
// device's tokens, its upgrade recorded as a socket operation, and what it
// received and how it ended written into that operation when the history is
// taken. The client closes every socket still open at the end of the
// execution, once the settle period is over or nothing more is awaited.
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import type { ConnectionSettings } from "../../client/connection.js";
import { openSocket, type NotificationSocket } from "../../client/notification-socket.js";
import type { ProtocolClient } from "../../client/protocol-client.js";
import { checkHistory } from "../../history/checker.js";
import type { History, SocketClose, SocketFrame, SocketOperation } from "../../history/history.js";
import { outcomeOf, type HistoryRecorder, type OperationLabels } from "./recorder.js";

/** How often the settle period looks whether anything is still awaited. */
const settlePollMs = 10;

interface HeldSocket {
  socket: NotificationSocket;
  op: SocketOperation;
  /** When the client began closing it at the end, if it was still open then. */
  closedByClientAt?: number;
}

export class HeldSockets {
  private readonly held: HeldSocket[] = [];
  private opened = 0;

  constructor(
    private readonly recorder: HistoryRecorder,
    /** Sockets one execution may open. */
    private readonly limit: number,
    /** The run's extra headers and TLS trust (--header, --ca, --insecure). */
    private readonly connection?: ConnectionSettings,
  ) {}

  /** Opens a socket with `token` and records its upgrade; the socket once upgraded, undefined otherwise or past the limit. */
  async open(protocol: ProtocolClient, token: string, labels: OperationLabels, tokenGeneration: number): Promise<NotificationSocket | undefined> {
    if (this.opened >= this.limit) return undefined;
    this.opened++;
    // A rate-limited upgrade is waited for and tried again, as every request is; the last attempt is recorded.
    const { exchange, socket } = await protocol.untilNotRateLimited(
      () =>
        openSocket({
          baseUrl: protocol.baseUrl,
          path: protocol.socketPath(token),
          openTimeoutMs: protocol.timeoutMs,
          ...(this.connection ? { connection: this.connection } : {}),
        }),
      (opening) => opening.exchange.response,
    );
    const op = this.recorder.socket(labels, tokenGeneration, {
      invokedAt: exchange.startedAt,
      completedAt: exchange.endedAt,
      outcome: outcomeOf("socket", exchange),
    });
    if (socket) this.held.push({ socket, op });
    return socket;
  }

  /**
   * Waits until the history would demand nothing more of the open sockets
   * (no frame still missing, no socket of an ended token still open), at
   * most `settleMs`, then closes every socket still open and writes what
   * each received into its operation.
   */
  async settleAndClose(settleMs: number): Promise<void> {
    const deadline = performance.now() + settleMs;
    while (this.held.some(({ socket }) => !socket.ended) && performance.now() < deadline && this.awaited()) await sleep(settlePollMs);
    await Promise.all(
      this.held.map(async (held) => {
        if (!held.socket.ended) held.closedByClientAt = performance.now();
        await held.socket.close();
      }),
    );
    for (const held of this.held) fillIn(held, performance.now());
  }

  /** Whether closing the open sockets now would leave a frame or a close the checker demands (NOTIFY-2, NOTIFY-4) missing. */
  private awaited(): boolean {
    const now = performance.now();
    const history: History = this.recorder.toHistory();
    const snapshots = new Map(this.held.map((held) => [held.op, snapshot(held, now)]));
    history.operations = history.operations.map((op) => (op.kind === "socket" ? (snapshots.get(op) ?? op) : op));
    const counts = checkHistory(history, { keepPerRequirement: 0 }).violationCounts;
    return (counts["NOTIFY-2"] ?? 0) > 0 || (counts["NOTIFY-4"] ?? 0) > 0;
  }
}

/** The operation as it would be if the client closed the socket at `now`. */
function snapshot(held: HeldSocket, now: number): SocketOperation {
  const copy: HeldSocket = { ...held, op: { ...held.op } };
  if (!held.socket.ended) copy.closedByClientAt = now;
  fillIn(copy, now);
  return copy.op;
}

/** Writes the frames received (those before the client began closing it) and how the socket ended into its operation. */
function fillIn({ socket, op, closedByClientAt }: HeldSocket, now: number): void {
  const until = closedByClientAt ?? Number.POSITIVE_INFINITY;
  op.frames = socket.frames.filter((frame) => frame.at <= until).map(
    (frame): SocketFrame => ({ at: frame.at, text: frame.binary ? `(a binary frame) ${frame.text}` : frame.text }),
  );
  if (socket.framesDropped > 0) op.framesDropped = socket.framesDropped;
  op.closed = closeOf(socket, closedByClientAt, now);
}

function closeOf(socket: NotificationSocket, closedByClientAt: number | undefined, now: number): SocketClose {
  if (closedByClientAt !== undefined) return { by: "client", at: closedByClientAt };
  const closed = socket.closed;
  // 1006: the connection ended without a close frame; a frame the client refused (too large) ends it as well.
  if (socket.problem !== undefined || closed?.code === 1006) return { by: "drop", at: closed?.at ?? now };
  // A close frame came; the connection may still be winding down.
  if (!closed) return { by: "server", at: now };
  return { by: "server", at: closed.at, ...(closed.code !== 1005 ? { code: closed.code } : {}) };
}
