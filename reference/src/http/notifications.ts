// The api3 profile's notification channel: each account's open WebSockets,
// told of every wallet version a POST stores (NOTIFY-2, NOTIFY-3) and closed
// when a password change ends the tokens they were opened with (NOTIFY-4).
// Bounded: sockets are capped per account and in all, and a socket whose
// client does not read what it is sent is dropped.
import { WebSocket } from "ws";
import type { SetWalletOutcome, TokenOwner, UserId, WalletVersion } from "../store/store.js";

export interface NotificationLimits {
  /** Open sockets of one account. Default 64. */
  socketsPerAccount: number;
  /** Open sockets of all accounts together. Default 10000. */
  sockets: number;
  /** Bytes a socket may leave unsent (its client not reading) before it is dropped. Default 64 KiB. */
  unsentBytes: number;
}

/** The close frame of a socket whose account's tokens a password change ended (NOTIFY-4). */
const passwordChangedClose = { code: 1000, reason: "Password changed" } as const;

export const defaultNotificationLimits: Readonly<NotificationLimits> = {
  socketsPerAccount: 64,
  sockets: 10_000,
  unsentBytes: 64 * 1024,
};

/** Why no other socket can be opened now: the account has its share (429), the server has (503), or its notifications cannot be heard now (503). */
export type SocketRefusal = "account-full" | "server-full" | "unavailable";

/** The text frame that tells a socket of a stored version. */
export function walletUpdateFrame(sequence: number): string {
  return `wallet-update:${sequence}`;
}

export class NotificationHub {
  readonly limits: Readonly<NotificationLimits>;
  /** The sockets each account's notifications go to, with the token owner each was opened as. */
  protected readonly accounts = new Map<UserId, Map<WebSocket, TokenOwner>>();
  /** Every open socket, also one no account holds any more, so that closeAll() reaches it. */
  private readonly open = new Set<WebSocket>();

  constructor(limits: Partial<NotificationLimits> = {}) {
    this.limits = { ...defaultNotificationLimits, ...limits };
  }

  /** Why a socket of this account cannot be opened now; undefined when it can. */
  refusal(userId: UserId): SocketRefusal | undefined {
    if (this.open.size >= this.limits.sockets) return "server-full";
    if ((this.accounts.get(userId)?.size ?? 0) >= this.limits.socketsPerAccount) return "account-full";
    return undefined;
  }

  /**
   * Takes an upgraded socket: it receives the account's notifications until
   * it closes. When others took the room since refusal() was asked, it is
   * closed at once (1013, try again later) and false returned.
   */
  add(owner: TokenOwner, socket: WebSocket): boolean {
    if (this.refusal(owner.userId) !== undefined) {
      socket.close(1013, "Too many sockets");
      return false;
    }
    let sockets = this.accounts.get(owner.userId);
    if (!sockets) this.accounts.set(owner.userId, (sockets = new Map()));
    sockets.set(socket, owner);
    this.open.add(socket);
    socket.once("close", () => {
      this.open.delete(socket);
      this.release(owner.userId, socket);
    });
    return true;
  }

  /**
   * Called after each POST /wallet with its outcome: a stored version is
   * announced to every socket of the account, the posting device's included.
   * Called in the order the versions were stored, so each socket receives
   * increasing sequences.
   */
  walletPosted(owner: TokenOwner, _posted: WalletVersion, outcome: SetWalletOutcome): void {
    if (outcome.stored) this.announce(owner.userId, outcome.wallet.sequence);
  }

  /** Sends `wallet-update:<sequence>` to the account's sockets whose owner `to` accepts (all by default). */
  protected announce(userId: UserId, sequence: number, to: (owner: TokenOwner) => boolean = () => true): void {
    const frame = walletUpdateFrame(sequence);
    for (const [socket, owner] of this.accounts.get(userId) ?? []) {
      if (!to(owner) || socket.readyState !== WebSocket.OPEN) continue;
      // A client that reads nothing would make the server keep every frame.
      if (socket.bufferedAmount > this.limits.unsentBytes) socket.terminate();
      else socket.send(frame);
    }
  }

  /** A password change ended every token of the account: each of its sockets is closed with a close frame. */
  endAccount(userId: UserId): void {
    for (const socket of this.forget(userId)) socket.close(passwordChangedClose.code, passwordChangedClose.reason);
  }

  /** Closes one socket, whose token turned out to be ended (a password change raced its upgrade) or could not be checked again. */
  endSocket(userId: UserId, socket: WebSocket, frame: { code: number; reason: string } = passwordChangedClose): void {
    this.release(userId, socket);
    socket.close(frame.code, frame.reason);
  }

  /** Takes the account's sockets out of the hub (they receive nothing more) and returns them. */
  protected forget(userId: UserId): WebSocket[] {
    const sockets = [...(this.accounts.get(userId)?.keys() ?? [])];
    this.accounts.delete(userId);
    return sockets;
  }

  /** The number of open sockets, of one account or of all. */
  count(userId?: UserId): number {
    return userId === undefined ? this.open.size : (this.accounts.get(userId)?.size ?? 0);
  }

  /** Sends every open socket a close frame (by default 1001: the server goes away). */
  closeAll(frame: { code: number; reason: string } = { code: 1001, reason: "Server closing" }): void {
    for (const socket of this.open) socket.close(frame.code, frame.reason);
  }

  /** Cuts every socket still open, for a close() whose grace period ended. */
  terminateAll(): void {
    for (const socket of this.open) socket.terminate();
  }

  private release(userId: UserId, socket: WebSocket): void {
    const sockets = this.accounts.get(userId);
    if (!sockets?.delete(socket)) return;
    if (sockets.size === 0) this.accounts.delete(userId);
  }
}
