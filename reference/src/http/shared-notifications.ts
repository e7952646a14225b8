// The notification channel of one process among several over one database:
// versions and password changes are heard from the store's events
// (store/postgres-events.ts), whichever process took them, and forwarded to
// this process's sockets. While the listening connection is lost, frames
// would be missed silently: the sockets are closed instead (clients re-sync
// by GET) and no new one is opened until it listens again.
import type { StoreEvent, StoreEventListener } from "../store/postgres-events.js";
import type { SetWalletOutcome, TokenOwner, WalletVersion } from "../store/store.js";
import { NotificationHub, type NotificationLimits, type SocketRefusal } from "./notifications.js";

/** The close frame of a socket whose process stopped hearing the store's events (1012: service restart; the client connects again). */
export const listenerLostClose = { code: 1012, reason: "Notifications interrupted; read the wallet again" } as const;

export class SharedNotificationHub extends NotificationHub implements StoreEventListener {
  private listeningNow = true;

  constructor(
    limits: Partial<NotificationLimits> = {},
    private readonly log: (line: string) => void = (line) => console.error(`wallet-sync-reference: ${line}`),
  ) {
    super(limits);
  }

  override refusal(userId: number): SocketRefusal | undefined {
    return this.listeningNow ? super.refusal(userId) : "unavailable";
  }

  /** The version is announced when the store's event of it is heard, here as on every other process, in the order the database committed. */
  override walletPosted(_owner: TokenOwner, _posted: WalletVersion, _outcome: SetWalletOutcome): void {}

  event(event: StoreEvent): void {
    if (event.kind === "wallet-stored") this.announce(event.userId, event.sequence);
    else this.endAccount(event.userId);
  }

  lost(reason: string): void {
    this.listeningNow = false;
    this.log(`lost the database connection that hears other processes' writes (${reason}); closing ${this.count()} notification sockets, refusing new ones until it is back`);
    this.closeAll(listenerLostClose);
  }

  listening(): void {
    this.listeningNow = true;
    this.log("hears other processes' writes again; notification sockets accepted");
  }
}
