// What one process of a PostgreSQL deployment tells the others, through
// PostgreSQL's NOTIFY: a wallet version stored, an account's tokens ended by
// a password change. NOTIFY is sent at commit, in commit order, and a
// wallet's writes are serialized by its row, so every listener hears an
// account's versions in sequence order. Each process listens on a connection
// of its own; while it is lost, nothing is heard, and the listener is told.
import pg from "pg";
import { errorText } from "../error-text.js";
import type { UserId } from "./store.js";

export const storeEventChannel = "wallet_sync_events";

export type StoreEvent = { kind: "wallet-stored"; userId: UserId; sequence: number } | { kind: "tokens-ended"; userId: UserId };

/** SQL of the payload announcing a stored version, given the SQL of its user id and sequence. */
export function walletStoredPayload(userId: string, sequence: string): string {
  return `'stored:' || ${userId} || ':' || ${sequence}`;
}

/** The payload announcing that an account's tokens ended. */
export function tokensEndedPayload(userId: UserId): string {
  return `tokens-ended:${userId}`;
}

/** The event a payload carries; undefined for one this version does not know. */
export function parseStoreEvent(payload: string | undefined): StoreEvent | undefined {
  const stored = /^stored:(\d+):(\d+)$/.exec(payload ?? "");
  if (stored) return { kind: "wallet-stored", userId: Number(stored[1]), sequence: Number(stored[2]) };
  const ended = /^tokens-ended:(\d+)$/.exec(payload ?? "");
  return ended ? { kind: "tokens-ended", userId: Number(ended[1]) } : undefined;
}

export interface StoreEventListener {
  event(event: StoreEvent): void;
  /** The listening connection is lost: events may be missed until listening() is called again. */
  lost(reason: string): void;
  /** Listening again after a loss. */
  listening(): void;
}

export interface StoreEventFeed {
  /** Whether the connection is listening now. */
  readonly live: boolean;
  /** Stops listening and reconnecting. */
  close(): Promise<void>;
}

/** How long a lost listener waits before it connects again, at first and at most. */
const reconnectDelayMs = { first: 100, max: 2000 };

/**
 * Listens to the store's events on a connection of its own, made with
 * `config`; once lost, it tells `listener` and connects again until closed.
 * Rejects when the first connection cannot be made.
 */
export async function listenToStoreEvents(config: pg.ClientConfig, listener: StoreEventListener): Promise<StoreEventFeed> {
  let client: pg.Client | undefined;
  let live = false;
  let closed = false;
  let delay = reconnectDelayMs.first;
  let retry: NodeJS.Timeout | undefined;

  const connect = async (): Promise<void> => {
    const next = new pg.Client({ ...config, keepAlive: true });
    let lostOnce = false;
    const lose = (reason: string): void => {
      if (lostOnce) return;
      lostOnce = true;
      next.removeAllListeners("notification");
      void next.end().catch(() => undefined);
      if (client !== next || closed) return;
      client = undefined;
      live = false;
      listener.lost(reason);
      scheduleReconnect();
    };
    next.on("error", (error) => lose(errorText(error)));
    next.on("end", () => lose("the connection ended"));
    next.on("notification", (message) => {
      if (message.channel !== storeEventChannel) return;
      const event = parseStoreEvent(message.payload);
      if (event) listener.event(event);
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${storeEventChannel}`);
    } catch (error) {
      lostOnce = true;
      await next.end().catch(() => undefined);
      throw error;
    }
    if (closed) {
      lostOnce = true;
      await next.end().catch(() => undefined);
      return;
    }
    client = next;
    live = true;
    delay = reconnectDelayMs.first;
  };

  const scheduleReconnect = (): void => {
    if (closed) return;
    retry = setTimeout(() => {
      connect().then(
        () => {
          if (live) listener.listening();
        },
        () => {
          delay = Math.min(delay * 2, reconnectDelayMs.max);
          scheduleReconnect();
        },
      );
    }, delay);
    retry.unref();
  };

  await connect();
  return {
    get live() {
      return live;
    },
    close: async () => {
      closed = true;
      clearTimeout(retry);
      const last = client;
      client = undefined;
      live = false;
      await last?.end().catch(() => undefined);
    },
  };
}
