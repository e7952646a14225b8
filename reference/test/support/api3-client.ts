// A test client of the api3 profile: its bodies (salt seeds, no `version`),
// password changes, and WebSockets of the notification channel (the `ws`
// package's client), each of which keeps every frame and its close.
import { once } from "node:events";
import { WebSocket } from "ws";
import { TestClient, type Reply } from "../helpers.js";

export const saltSeedOf = (digit: string): string => digit.repeat(64);
export const defaultPassword = "login-password";

export class Api3TestClient extends TestClient {
  /** `serverUrl` is the server's root; paths are sent under /api/3. */
  constructor(readonly serverUrl: string) {
    super(`${serverUrl}/api/3`);
  }

  override signup(email: string, password: string, clientSaltSeed = saltSeedOf("a")): Promise<Reply> {
    return this.post("/signup", { email, password, clientSaltSeed });
  }

  override postWallet(token: string, sequence: number, encryptedWallet: string, hmac = `hmac-${sequence}`): Promise<Reply> {
    return this.post("/wallet", { token, encryptedWallet, sequence, hmac });
  }

  override async tokenFor(email: string, deviceId = "device-1", password = defaultPassword): Promise<string> {
    return super.tokenFor(email, deviceId, password);
  }

  changePassword(body: Record<string, unknown>): Promise<Reply> {
    return this.post("/password", body);
  }

  /** GET /client-salt-seed for an email, sent as standard base64 (percent-encoded in the query). */
  saltSeed(email: string): Promise<Reply> {
    return this.get(`/client-salt-seed?email=${encodeURIComponent(Buffer.from(email, "utf8").toString("base64"))}`);
  }

  /** Opens a socket of the notification channel; rejects with the refusal when the server does not upgrade. */
  openSocket(token: string): Promise<NotificationSocket> {
    return NotificationSocket.open(`${this.serverUrl.replace(/^http/, "ws")}/api/3/websocket?token=${encodeURIComponent(token)}`);
  }
}

/** A refused upgrade: the status and body the server answered instead of 101. */
export class UpgradeRefused extends Error {
  constructor(
    readonly status: number,
    readonly headers: Record<string, string | string[] | undefined>,
    readonly text: string,
  ) {
    super(`upgrade refused: ${status} ${text}`);
  }
  get json(): unknown {
    return JSON.parse(this.text);
  }
}

export interface SocketClose {
  code: number;
  reason: string;
}

export class NotificationSocket {
  readonly frames: string[] = [];
  /** Resolves when the socket closes, with the close frame's code (1005 when it had none, 1006 when there was no close frame). */
  readonly closed: Promise<SocketClose>;
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: WebSocket) {
    // Errors after the handshake end in a close, which `closed` reports.
    socket.on("error", () => undefined);
    socket.on("message", (data) => {
      this.frames.push(String(data));
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.closed = once(socket, "close").then(([code, reason]) => {
      for (const wake of this.waiters.splice(0)) wake();
      return { code: code as number, reason: String(reason) };
    });
  }

  static open(url: string): Promise<NotificationSocket> {
    const socket = new WebSocket(url);
    return new Promise((resolve, reject) => {
      socket.once("open", () => resolve(new NotificationSocket(socket)));
      socket.once("unexpected-response", (_request, response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (text += chunk));
        response.once("end", () => {
          reject(new UpgradeRefused(response.statusCode ?? 0, response.headers, text));
          socket.terminate();
        });
      });
      socket.once("error", reject);
    });
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** Waits until `count` frames have come (or the socket closed, or `timeoutMs` passed) and returns every frame so far. */
  async framesUntil(count: number, timeoutMs = 2000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.frames.length < count && this.isOpen && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return [...this.frames];
  }

  /** Whether the socket closes within `timeoutMs`, and how. */
  async closesWithin(timeoutMs: number): Promise<SocketClose | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), timeoutMs)));
    try {
      return await Promise.race([this.closed, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    this.socket.terminate();
  }
}
