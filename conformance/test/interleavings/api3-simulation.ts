// Histories of a correct api3 server, simulated: one account, devices making
// one request at a time (auth, GET, POST, password change, socket upgrade),
// each request applied atomically at a random moment between its sending and
// its answer. A POST's frames reach the sockets registered when it is applied
// after random delays, in order; a password change ends every token and has
// the server close every socket some time later; an answer may be lost or a
// 5xx, the request taking effect or not. Whatever the seed, the history is
// valid: the checker must report nothing on it.
import fc from "fast-check";
import { seededRandom } from "../../bench/synthetic-history.js";
import type { History, SocketOperation } from "../../src/history/history.js";
import { changed, conflict, HistoryBuilder, notFound, returns, serverError, timeout, unauthorized, upgraded, version, type Answer } from "./history-builder.js";

export interface SimulationOptions {
  seed: number;
  devices: number;
  /** Requests each device makes. */
  requests: number;
  /** Share of answers lost (timeout) or 5xx; the request takes effect or not, at random. */
  lostRate: number;
  /** The longest a frame or a server's close takes after the write or change that causes it. */
  maxDelay: number;
}

/** Simulations of every size the property tests try. */
export const simulations: fc.Arbitrary<SimulationOptions> = fc.record({
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  devices: fc.integer({ min: 1, max: 6 }),
  requests: fc.integer({ min: 1, max: 40 }),
  lostRate: fc.double({ min: 0, max: 0.3, noNaN: true }),
  maxDelay: fc.double({ min: 0.01, max: 5, noNaN: true }),
});

interface Device {
  name: string;
  ready: number;
  /** The generation of the token it holds; 0 before its first login. */
  token: number;
  generations: number;
  password: string;
  base: { sequence: number; content: string };
  changes: number;
}

interface LiveSocket {
  op: SocketOperation;
  token: string;
  lastFrame: number;
}

type Kind = "auth" | "get" | "post" | "password" | "socket";

export function simulateApi3(options: SimulationOptions): History {
  const random = seededRandom(options.seed);
  const between = (low: number, high: number) => low + random() * (high - low);
  const h = new HistoryBuilder("append-log", "api3");
  const devices: Device[] = Array.from({ length: options.devices }, (_, index) => ({
    name: `d${index}`,
    ready: between(0, 2),
    token: 0,
    generations: 0,
    password: "p0",
    base: { sequence: 0, content: "-" },
    changes: 0,
  }));
  // The server: the stored version, the password, the live tokens, the open sockets.
  let stored = { sequence: 0, content: "-" };
  let password = "p0";
  let passwords = 0;
  const liveTokens = new Set<string>();
  const sockets: LiveSocket[] = [];
  let end = 0;

  const lost = (): Answer | undefined => (random() < options.lostRate ? (random() < 0.5 ? timeout : serverError(503)) : undefined);
  const closeSockets = (at: number) => {
    for (const socket of sockets) {
      if (!socket.op.closed) socket.op.closed = { by: "server", at: Math.max(at, socket.lastFrame) + between(0.1, options.maxDelay) };
    }
  };

  for (let step = 0; step < options.devices * options.requests; step++) {
    // The device that is ready first sends its next request; it is applied
    // within its interval, so the order of applications is the order of sending.
    const device = devices.reduce((first, other) => (other.ready < first.ready ? other : first));
    const sent = device.ready;
    const applied = sent + between(0.1, 2);
    const answered = applied + between(0.1, 2);
    device.ready = answered + between(0, 1);
    const failure = lost();
    const takesEffect = !failure || random() < 0.5;
    const kind: Kind = device.token === 0 ? "auth" : (["get", "post", "post", "password", "socket", "auth"] as const)[Math.floor(random() * 6)]!;
    const key = `${device.name}#${device.token}`;
    const live = liveTokens.has(key);
    end = Math.max(end, answered);
    switch (kind) {
      case "auth": {
        const generation = ++device.generations;
        const ok = device.password === password;
        if (ok && takesEffect) liveTokens.add(`${device.name}#${generation}`);
        h.auth(device.name, [sent, answered], failure ?? (ok ? { type: "ok", status: 200 } : unauthorized), { password: device.password, gen: generation });
        if (ok && !failure) device.token = generation;
        // A refused login: the user types the account's current password next time.
        if (!ok && !failure) device.password = password;
        break;
      }
      case "get": {
        const answer: Answer = !live ? unauthorized : stored.sequence === 0 ? notFound : returns(version(stored.sequence, stored.content));
        h.get(device.name, [sent, answered], failure ?? answer, { gen: device.token });
        if (!failure && live && stored.sequence > device.base.sequence) device.base = { ...stored };
        if (!failure && !live) device.token = 0;
        break;
      }
      case "post": {
        const sequence = device.base.sequence + 1;
        const content = `${device.base.content}:${device.name}-${++device.changes}`;
        const accepted = live && sequence === stored.sequence + 1;
        if (accepted && takesEffect) {
          stored = { sequence, content };
          for (const socket of sockets) {
            if (socket.op.closed || !liveTokens.has(socket.token)) continue;
            socket.lastFrame = Math.max(socket.lastFrame, applied) + between(0.01, options.maxDelay);
            socket.op.frames.push({ at: socket.lastFrame, text: `wallet-update:${sequence}` });
          }
        }
        h.post(device.name, sequence, content, [sent, answered], failure ?? (accepted ? { type: "accepted" } : live ? conflict() : unauthorized), {
          gen: device.token,
          base: device.base.sequence,
        });
        if (!failure && accepted) device.base = { sequence, content };
        if (!failure && !live) device.token = 0;
        break;
      }
      case "password": {
        const next = `p${++passwords}`;
        const wallet = device.base.sequence > 0 ? { sequence: device.base.sequence + 1, content: device.base.content } : undefined;
        const rightPassword = device.password === password;
        const inSequence = wallet ? wallet.sequence === stored.sequence + 1 : stored.sequence === 0;
        const ok = rightPassword && inSequence;
        if (ok && takesEffect) {
          password = next;
          if (wallet) stored = { ...wallet };
          liveTokens.clear();
          closeSockets(applied);
        }
        h.password(device.name, { from: device.password, to: next, ...(wallet ? { wallet } : {}) }, [sent, answered], failure ?? (ok ? changed : rightPassword ? conflict() : unauthorized), {
          base: device.base.sequence,
        });
        if (!failure && ok) {
          device.password = next;
          device.token = 0;
          if (wallet) device.base = { ...wallet };
        }
        if (!failure && !rightPassword) device.password = password;
        break;
      }
      case "socket": {
        const opened = live && takesEffect;
        const op = h.socket(device.name, [sent, answered], failure ?? (live ? upgraded : unauthorized), {}, { gen: device.token });
        if (opened) sockets.push({ op, token: key, lastFrame: applied });
        if (!failure && !live) device.token = 0;
        break;
      }
    }
  }
  // The end of the run: after a settle period long enough for every frame and close, the client closes what is still open.
  const closing = Math.max(end, ...sockets.map((socket) => Math.max(socket.lastFrame, socket.op.closed?.at ?? 0))) + 1;
  for (const socket of sockets) socket.op.closed ??= { by: "client", at: closing };
  return h.build();
}
