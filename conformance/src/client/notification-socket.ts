// The api3 notification channel from the client's side: a WebSocket on
// GET /websocket?token=T (spec/api3/asyncapi.yaml) over undici, whose frames
// are queued until read. Bounded whatever a server sends: frames past
// maxNotificationFrameBytes end the socket, the queue keeps at most
// maxQueuedNotifications, and every wait has a deadline.
import { Agent, WebSocket, type MessageEvent, type CloseEvent } from "undici";
import { maxNotificationFrameBytes, maxQueuedNotifications } from "../defaults.js";
import type { ProtocolClient } from "./protocol-client.js";

export type SocketEvent =
  | { kind: "frame"; text: string }
  | { kind: "binary"; bytes: number }
  /** The socket ended: a close frame (its code; 1005 when it had none) or the connection dropped (1006). */
  | { kind: "closed"; code: number; reason: string }
  | { kind: "timeout" };

/** The notification channel's address for a token, under the client's root and profile prefix. */
export function notificationUrl(protocol: ProtocolClient, token: string): string {
  const root = protocol.baseUrl.replace(/^http/, "ws");
  return `${root}${protocol.pathPrefix}/websocket?${new URLSearchParams({ token }).toString()}`;
}

export class NotificationSocket {
  private readonly events: SocketEvent[] = [];
  private ended: SocketEvent | undefined;
  private overflowed = 0;
  private wake: (() => void) | undefined;

  private constructor(
    private readonly socket: WebSocket,
    private readonly agent: Agent,
  ) {
    socket.addEventListener("message", (event: MessageEvent) => {
      const data: unknown = event.data;
      this.push(typeof data === "string" ? { kind: "frame", text: data } : { kind: "binary", bytes: (data as ArrayBuffer).byteLength });
    });
    socket.addEventListener("close", (event: CloseEvent) => {
      this.ended = { kind: "closed", code: event.code, reason: event.reason };
      this.wake?.();
    });
  }

  /** Opens the socket; a string says why it did not open within `timeoutMs` (the upgrade refused, no answer). */
  static async open(url: string, timeoutMs: number): Promise<NotificationSocket | string> {
    const agent = new Agent({ webSocket: { maxPayloadSize: maxNotificationFrameBytes, maxFragments: 16 } });
    const socket = new WebSocket(url, { dispatcher: agent });
    socket.binaryType = "arraybuffer";
    const opened = await new Promise<true | string>((resolve) => {
      const timer = setTimeout(() => resolve(`no upgrade within ${timeoutMs} ms`), timeoutMs);
      const settle = (result: true | string) => {
        clearTimeout(timer);
        resolve(result);
      };
      socket.addEventListener("open", () => settle(true), { once: true });
      socket.addEventListener("close", (event) => settle(`the upgrade was refused or dropped (close code ${event.code})`), {
        once: true,
      });
    });
    if (opened === true) return new NotificationSocket(socket, agent);
    socket.close();
    await agent.destroy();
    return opened;
  }

  /** The next frame, or the end of the socket once every frame before it was read, or a timeout. */
  async next(timeoutMs: number): Promise<SocketEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const queued = this.events.shift();
      if (queued) return queued;
      if (this.ended) return this.ended;
      const left = deadline - Date.now();
      if (left <= 0) return { kind: "timeout" };
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  /** Frames dropped because the queue was full. */
  get dropped(): number {
    return this.overflowed;
  }

  async close(): Promise<void> {
    if (!this.ended) this.socket.close();
    await this.agent.destroy();
  }

  private push(event: SocketEvent): void {
    if (this.events.length >= maxQueuedNotifications) this.overflowed++;
    else this.events.push(event);
    this.wake?.();
  }
}
