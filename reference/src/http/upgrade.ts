// Requests that ask to upgrade the connection (node:http's 'upgrade' event).
// The notification channel's become WebSockets (the `ws` package) once the
// token is live and there is room; every other one, and every refusal, is
// answered as plain HTTP with a JSON error and the connection closed.
import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import type { NotificationHub } from "./notifications.js";
import { errorResult, failureResult, type HandlerResult } from "./responses.js";
import type { Router } from "./routes.js";
import { endWithResult } from "./send.js";

export type UpgradeListener = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** Clients send nothing the server reads (it answers pings itself); a larger frame ends the socket (1009). */
const maxClientFrameBytes = 4096;
/** TCP keep-alive probes find clients that vanished without closing, so that their sockets do not hold a place for ever. */
const keepAliveDelayMs = 30_000;
/** A socket whose token could not be checked again (the store failed): not a password change, so the client connects again (1011: server error). */
const uncheckedTokenClose = { code: 1011, reason: "Could not check the token again; connect again" } as const;

export function createUpgradeListener(router: Router, notifications: NotificationHub, onError: (error: unknown) => void): UpgradeListener {
  const sockets = new WebSocketServer({ noServer: true, clientTracking: false, perMessageDeflate: false, maxPayload: maxClientFrameBytes });
  // A handshake ws refuses (no Sec-WebSocket-Key, a version it does not speak) gets a JSON error too.
  sockets.on("wsClientError", (error: Error, socket: Duplex) => answerAndClose(socket, errorResult(400, error.message)));

  return (request, socket, head) => {
    socket.on("error", () => socket.destroy());
    upgrade(request, socket, head).catch((error: unknown) => {
      onError(error);
      answerAndClose(socket, failureResult(error));
    });
  };

  async function upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const routing = router(request.method, request.url);
    if ("answer" in routing) return answerAndClose(socket, routing.answer);
    const { endpoint, query } = routing;
    const input = { query, body: undefined };
    if (!endpoint.openSocket) {
      // Served as without the Upgrade header; a body, which node does not read on an upgrade, cannot be.
      if (endpoint.readsBody) return answerAndClose(socket, errorResult(400, "Only the notification channel takes an Upgrade header"));
      return answerAndClose(socket, await endpoint.handle(input));
    }
    const decision = await endpoint.openSocket(input);
    if ("refuse" in decision) return answerAndClose(socket, decision.refuse);
    sockets.handleUpgrade(request, socket, head, (webSocket) => {
      (socket as Socket).setKeepAlive?.(true, keepAliveDelayMs);
      // A client's protocol error (a frame over the limit, bad UTF-8) closes its socket; unheard, it would end the process.
      webSocket.on("error", () => undefined);
      const { userId } = decision.accept;
      if (!notifications.add(decision.accept, webSocket)) return;
      // The socket is registered first and the token checked again after:
      // a password change either finds the socket and closes it, or ended
      // the token before this check, which then closes it (NOTIFY-4).
      decision.stillLive().then(
        (live) => {
          if (!live) notifications.endSocket(userId, webSocket);
        },
        (error: unknown) => {
          onError(error);
          notifications.endSocket(userId, webSocket, uncheckedTokenClose);
        },
      );
    });
  }
}

/** Answers without upgrading and closes the connection once the answer is out. */
function answerAndClose(socket: Duplex, result: HandlerResult): void {
  socket.once("finish", () => socket.destroy());
  endWithResult(socket, result);
}
