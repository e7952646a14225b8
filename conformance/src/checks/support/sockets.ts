// The notification sockets of a check (api3): each upgrade is an exchange of
// the check, every socket is closed when the check ends, and what a socket
// must receive, must not receive, or must suffer (a close) becomes a finding
// that says what was sent, what came back and what was expected.
import { announcedSequence } from "../../../../spec/notifications.js";
import { openSocket, type NotificationSocket, type SocketOpening } from "../../client/notification-socket.js";
import type { Exchange } from "../../client/protocol-client.js";
import { notificationQuietMs, notificationWaitMs } from "../../defaults.js";
import { CheckAborted, type CheckContext } from "../../model/context.js";
import { describeExchangeLine, describeRequest } from "../../model/describe.js";
import { expectStatus, type StatusExpectation } from "./expect.js";
import type { Device } from "./steps.js";

/** An open socket, the upgrade that opened it, and how findings name it. */
export interface Listener {
  socket: NotificationSocket;
  upgrade: Exchange;
  /** e.g. "the first device's socket". */
  name: string;
}

/** What a socket was waiting for, for findings: the requirement, the step in words, and the exchanges that led to it. */
export interface SocketExpectation {
  requirement: string;
  doing: string;
  /** The requests whose effect the socket should show (the POST, the password change). */
  after?: readonly Exchange[];
}

export class Sockets {
  private readonly opened: NotificationSocket[] = [];

  constructor(readonly ctx: CheckContext) {}

  /**
   * GET /websocket with these query parameters; each upgrade is recorded as an
   * exchange of the check. A rate limit is no answer: it is waited for and the
   * upgrade tried again, as the client does with every request.
   */
  async open(query: Record<string, string>, node = 0): Promise<SocketOpening> {
    const client = node === 0 ? this.ctx.client : this.ctx.nodeClient(node);
    const attempt = async () => {
      const opening = await openSocket({
        baseUrl: this.ctx.nodeUrls[node] ?? this.ctx.baseUrl,
        path: client.socketPath(query),
        openTimeoutMs: this.ctx.timeoutMs,
        connection: this.ctx.connection,
      });
      if (opening.socket) this.opened.push(opening.socket);
      this.ctx.record(opening.exchange);
      return opening;
    };
    return client.untilNotRateLimited(attempt, (opening) => opening.exchange.response);
  }

  /** A socket opened with the device's token (on node `node` of a deployment), which must be upgraded (NOTIFY-1); the check cannot go on without it. */
  async listen(device: Device, name: string, node = 0): Promise<Listener> {
    const { exchange, socket } = await this.open({ token: device.token }, node);
    if (socket) return { socket, upgrade: exchange, name };
    expectStatus(this.ctx, exchange, {
      requirement: "NOTIFY-1",
      status: 101,
      doing: `opening ${name} with a live token`,
      expected: "101: the upgrade to a WebSocket",
    });
    throw new CheckAborted("no socket");
  }

  /**
   * An upgrade that must be refused with `expectation.status`, without an
   * upgrade; a socket the server opened anyway is reported and closed.
   */
  async expectRefused(query: Record<string, string>, expectation: StatusExpectation): Promise<Exchange> {
    const { exchange, socket } = await this.open(query);
    if (!socket) {
      expectStatus(this.ctx, exchange, expectation);
      return exchange;
    }
    await socket.close();
    this.ctx.report({
      requirement: expectation.requirement,
      message: `${expectation.doing}: upgraded to a WebSocket (101)`,
      sent: describeRequest(exchange.request),
      received: "101 Switching Protocols",
      expected: `${expectation.expected ?? String(expectation.status)}, without an upgrade`,
      exchanges: [exchange],
    });
    return exchange;
  }

  /** Closes every socket the check opened. */
  async closeAll(): Promise<void> {
    await Promise.all(this.opened.map((socket) => socket.close()));
  }
}

/** Runs `body` with the check's sockets, and closes them all however it ends. */
export async function withSockets<T>(ctx: CheckContext, body: (sockets: Sockets) => Promise<T>): Promise<T> {
  const sockets = new Sockets(ctx);
  try {
    return await body(sockets);
  } finally {
    await sockets.closeAll();
  }
}

/** The sequences the socket's `wallet-update:<n>` frames announced, in order of arrival. */
export function announced(listener: Listener): number[] {
  return listener.socket.frames.flatMap((frame) => {
    const sequence = frame.binary ? undefined : announcedSequence(frame.text);
    return sequence === undefined ? [] : [sequence];
  });
}

/** What the socket received and whether it closed, in words. */
export function describeSocket(listener: Listener): string {
  const { frames, framesDropped, closed, problem } = listener.socket;
  const shown = frames.map((frame) => (frame.binary ? `a binary frame of ${Buffer.byteLength(frame.text)} bytes` : JSON.stringify(frame.text)));
  const parts = [`${listener.name} received ${shown.length === 0 ? "no frame" : shown.join(", ")}`];
  if (framesDropped > 0) parts.push(`and ${framesDropped} frames more`);
  if (closed) parts.push(`then closed (${closed.code === 1006 ? "without a close frame" : `close code ${closed.code}`})`);
  else if (listener.socket.ended) parts.push("then sent a close frame");
  if (problem) parts.push(`(${problem})`);
  return parts.join(" ");
}

function socketFinding(ctx: CheckContext, listener: Listener, about: SocketExpectation, message: string, expected: string): void {
  const after = about.after ?? [];
  ctx.report({
    requirement: about.requirement,
    message: `${about.doing}: ${message}`,
    sent: [describeRequest(listener.upgrade.request), ...after.map(describeExchangeLine)].join("; then "),
    received: describeSocket(listener),
    expected,
    exchanges: [listener.upgrade, ...after],
  });
}

/** Waits (bounded) for the frame `wallet-update:<sequence>`; reports when it does not come. */
export async function expectAnnounced(ctx: CheckContext, listener: Listener, sequence: number, about: SocketExpectation): Promise<boolean> {
  if (await listener.socket.waitUntil(() => announced(listener).includes(sequence), notificationWaitMs)) return true;
  const why = listener.socket.ended ? "the socket closed before it came" : `not within ${notificationWaitMs} ms`;
  socketFinding(ctx, listener, about, `${listener.name} did not receive wallet-update:${sequence} (${why})`, `the text frame "wallet-update:${sequence}"`);
  return false;
}

/** Waits (bounded) for the socket to end, with or without a close frame; reports when it stays open. */
export async function expectClosed(ctx: CheckContext, listener: Listener, about: SocketExpectation): Promise<boolean> {
  if (await listener.socket.waitForEnd(notificationWaitMs)) return true;
  socketFinding(ctx, listener, about, `${listener.name} is still open ${notificationWaitMs} ms later`, "the socket closed (a close frame, or the connection ended)");
  return false;
}

/** Listens a short while longer for frames a socket must not get, which a server may send late. */
export function quietPeriod(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, notificationQuietMs));
}

/**
 * NOTIFY-3 of one socket: the sequences it heard that no accepted write
 * stored (`stored`: every sequence stored while it listened), and whether they
 * fail to increase. A sequence it did not hear is NOTIFY-2's to report.
 */
export function announcementProblems(heard: readonly number[], stored: ReadonlySet<number>): string[] {
  const problems: string[] = [];
  const neverStored = heard.filter((n) => !stored.has(n));
  if (neverStored.length > 0) problems.push(`it heard of ${neverStored.join(", ")}, which no accepted write stored`);
  if (heard.some((n, i) => i > 0 && n <= (heard[i - 1] as number))) problems.push(`the sequences it heard do not increase (${heard.join(", ")})`);
  return problems;
}

/**
 * Once each socket heard what it must, listens a short quiet period more and
 * reports (NOTIFY-3) a socket that heard of a sequence other than `stored`,
 * or out of order. Frames that announce nothing are ignored, as clients do.
 */
export async function expectOnlyStoredAnnounced(
  ctx: CheckContext,
  listeners: readonly Listener[],
  stored: readonly number[],
  about: SocketExpectation,
): Promise<void> {
  await quietPeriod();
  const expected = stored.map((n) => `"wallet-update:${n}"`).join(", ");
  for (const listener of listeners) {
    const problems = announcementProblems(announced(listener), new Set(stored));
    if (problems.length > 0) socketFinding(ctx, listener, about, `${listener.name}: ${problems.join("; ")}`, `at most ${expected}, in that order`);
  }
}
