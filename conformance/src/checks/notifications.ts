// Notifications over the WebSocket (NOTIFY-*, api3): which upgrades are
// refused, that every socket of the account hears of every stored version and
// of nothing else, in order, and that a password change closes the sockets of
// the tokens it ends. Frames arrive asynchronously: a check waits (bounded)
// for what a socket must receive, and judges what it must not receive only
// after a later frame it can wait for.
import type { Exchange } from "../client/protocol-client.js";
import { defineCheck, type CheckCase } from "../model/case.js";
import { CheckAborted, type CheckContext } from "../model/context.js";
import { notificationWaitMs } from "../defaults.js";
import { changePassword, nextWallet, passwordChangeBody } from "./support/account-steps.js";
import { expectStatus } from "./support/expect.js";
import {
  announced,
  announcementProblems,
  describeSocket,
  expectAnnounced,
  expectClosed,
  expectOnlyStoredAnnounced,
  quietPeriod,
  withSockets,
  type Listener,
} from "./support/sockets.js";
import { randomHex, Steps, stepsTaken, walletBody, walletRequest, type Device } from "./support/steps.js";

const liveToken = defineCheck({
  requirement: "NOTIFY-1",
  slug: "live-token",
  file: import.meta.url,
  alsoChecks: stepsTaken("device", "login"),
  title: "GET /websocket with a live token is upgraded to a WebSocket, for every device of the account, more than once",
  async run(ctx) {
    const steps = new Steps(ctx);
    const laptop = await steps.device();
    const phone = await steps.login(laptop.account);
    await withSockets(ctx, async (sockets) => {
      await sockets.listen(laptop, "a socket of the first device");
      await sockets.listen(laptop, "a second socket of the first device");
      await sockets.listen(phone, "a socket of the second device");
    });
  },
});

const missingToken = defineCheck({
  requirement: "NOTIFY-1",
  slug: "missing-token",
  file: import.meta.url,
  title: "GET /websocket without a token parameter is answered 400, without an upgrade",
  async run(ctx) {
    await withSockets(ctx, async (sockets) => {
      await sockets.expectRefused({}, { requirement: "NOTIFY-1", status: 400, doing: "an upgrade without a token parameter" });
      await sockets.expectRefused(
        { tokens: randomHex(32) },
        { requirement: "NOTIFY-1", status: 400, doing: "an upgrade with `tokens` instead of `token`" },
      );
    });
  },
});

const unknownToken = defineCheck({
  requirement: "NOTIFY-1",
  slug: "unknown-token",
  file: import.meta.url,
  alsoChecks: stepsTaken("device"),
  title: "GET /websocket with an unknown token is answered 401 (an empty one 400 or 401), without an upgrade",
  async run(ctx) {
    const device = await new Steps(ctx).device();
    // One character off: a server comparing prefixes would let it through.
    const oneOff = device.token.slice(0, -1) + (device.token.endsWith("0") ? "1" : "0");
    await withSockets(ctx, async (sockets) => {
      await sockets.expectRefused({ token: randomHex(32) }, { requirement: "NOTIFY-1", status: 401, doing: "an upgrade with an unknown token" });
      await sockets.expectRefused({ token: oneOff }, { requirement: "NOTIFY-1", status: 401, doing: "an upgrade with a token's last digit changed" });
      await sockets.expectRefused({ token: "" }, { requirement: "NOTIFY-1", status: [400, 401], doing: "an upgrade with an empty token" });
    });
  },
});

const endedTokens = defineCheck({
  requirement: "NOTIFY-1",
  slug: "replaced-and-ended-tokens",
  file: import.meta.url,
  alsoChecks: stepsTaken("device", "login", "changePassword"),
  title: "GET /websocket with a token a new login replaced, or a password change ended, is answered 401, without an upgrade",
  async run(ctx) {
    const steps = new Steps(ctx);
    const replaced = await steps.device();
    const live = await steps.login(replaced.account, replaced.deviceId);
    await withSockets(ctx, async (sockets) => {
      await sockets.expectRefused(
        { token: replaced.token },
        { requirement: "NOTIFY-1", status: 401, doing: "an upgrade with a token that a new login of its device replaced" },
      );
      await changePassword(steps, live.account, undefined);
      await sockets.expectRefused(
        { token: live.token },
        { requirement: "NOTIFY-1", status: 401, doing: "an upgrade with a token that a password change ended" },
      );
    });
  },
});

/** Stores `sequence` through `device` and returns the POST, whose 200 is required. */
export async function store(steps: Steps, device: Device, sequence: number): Promise<Exchange> {
  const exchange = await steps.ctx.client.postWallet(walletRequest(device.token, sequence));
  expectStatus(steps.ctx, exchange, { requirement: sequence === 1 ? "SEQ-1" : "SEQ-2", status: 200, doing: `storing sequence ${sequence}` });
  if (exchange.response?.status !== 200) throw new CheckAborted("a POST that had to be stored was not");
  return exchange;
}

/**
 * Waits until every listener announced `sequence`; the finding names the POST
 * that stored it. A socket that missed it stops the check: what it would
 * judge next rests on that frame, and each further wait would only be as long.
 */
export async function expectEveryoneHears(steps: Steps, listeners: readonly Listener[], sequence: number, post: Exchange): Promise<void> {
  const about = { requirement: "NOTIFY-2", doing: `once a POST /wallet storing ${sequence} was answered 200`, after: [post] };
  const heard = await Promise.all(listeners.map((listener) => expectAnnounced(steps.ctx, listener, sequence, about)));
  if (heard.includes(false)) throw new CheckAborted(`a socket missed wallet-update:${sequence}`);
}

const everySocket = defineCheck({
  requirement: "NOTIFY-2",
  slug: "every-socket-of-the-account",
  file: import.meta.url,
  alsoChecks: [...stepsTaken("device", "login"), "SEQ-1", "SEQ-2", "NOTIFY-1", "NOTIFY-3"],
  title: "Every socket of the account (the posting device's included) receives wallet-update:n for each stored version; another account's socket none",
  async run(ctx) {
    const steps = new Steps(ctx);
    const laptop = await steps.device("owner");
    const phone = await steps.login(laptop.account);
    const stranger = await steps.device("stranger");
    await withSockets(ctx, async (sockets) => {
      const own = [
        await sockets.listen(laptop, "the first device's socket"),
        await sockets.listen(laptop, "the first device's second socket"),
        await sockets.listen(phone, "the second device's socket"),
      ];
      const other = await sockets.listen(stranger, "another account's socket");
      await expectEveryoneHears(steps, own, 1, await store(steps, laptop, 1));
      await expectEveryoneHears(steps, own, 2, await store(steps, phone, 2));
      // The other account's own first version is the later frame its socket can wait for.
      const strangerPost = await store(steps, stranger, 1);
      await expectEveryoneHears(steps, [other], 1, strangerPost);
      await expectOnlyStoredAnnounced(ctx, [other], [1], {
        requirement: "NOTIFY-3",
        doing: "a socket of another account, once the account had stored 1 and 2 and it had stored its own 1",
        after: [strangerPost],
      });
    });
  },
});

/** A POST /wallet that must be refused, and the requirement its refusal is owed to. */
interface RefusedPost {
  what: string;
  requirement: string;
  status: number;
  send(): Promise<Exchange>;
}

const refusedAnnounceNothing = defineCheck({
  requirement: "NOTIFY-3",
  slug: "refused-posts-announce-nothing",
  file: import.meta.url,
  alsoChecks: [...stepsTaken("device"), "SEQ-1", "SEQ-2", "SEQ-3", "VAL-2", "WGET-4", "NOTIFY-1", "NOTIFY-2"],
  title: "POSTs refused with 409, 400 or 401 announce nothing: a socket hears exactly the versions stored",
  async run(ctx) {
    const steps = new Steps(ctx);
    const device = await steps.device();
    const refused: RefusedPost[] = [
      { what: "sequence 1 again", requirement: "SEQ-3", status: 409, send: () => ctx.client.postWallet(walletRequest(device.token, 1)) },
      { what: "sequence 3 onto 1", requirement: "SEQ-3", status: 409, send: () => ctx.client.postWallet(walletRequest(device.token, 3)) },
      {
        what: "sequence 2 with an empty hmac",
        requirement: "VAL-2",
        status: 400,
        send: () => ctx.client.send({ method: "POST", path: "/wallet", body: walletBody(ctx.profile, device.token, 2, { hmac: "" }) }),
      },
      { what: "sequence 2 with an unknown token", requirement: "WGET-4", status: 401, send: () => ctx.client.postWallet(walletRequest(randomHex(32), 2)) },
    ];
    await withSockets(ctx, async (sockets) => {
      const listener = await sockets.listen(device, "the device's socket");
      await expectEveryoneHears(steps, [listener], 1, await store(steps, device, 1));
      const refusals: Exchange[] = [];
      for (const post of refused) {
        const exchange = await post.send();
        refusals.push(exchange);
        expectStatus(ctx, exchange, { requirement: post.requirement, status: post.status, doing: `a POST /wallet of ${post.what}` });
        if (exchange.response?.status === 200) throw new CheckAborted("a POST that had to be refused was stored");
      }
      const accepted = await store(steps, device, 2);
      await expectEveryoneHears(steps, [listener], 2, accepted);
      await expectOnlyStoredAnnounced(ctx, [listener], [1, 2], {
        requirement: "NOTIFY-3",
        doing: `a socket, once sequence 1 was stored, ${refused.length} POSTs were refused and sequence 2 was stored`,
        after: [...refusals, accepted],
      });
    });
  },
});

const rounds = 5;

const increasing = defineCheck({
  requirement: "NOTIFY-3",
  slug: "increasing-sequences",
  file: import.meta.url,
  alsoChecks: [...stepsTaken("device", "login", "read"), "NOTIFY-1", "NOTIFY-2"],
  title: "Under concurrent POSTs of two devices, a socket hears each stored version once, in increasing order, and no refused one",
  async run(ctx) {
    const steps = new Steps(ctx);
    const laptop = await steps.device();
    const phone = await steps.login(laptop.account);
    await withSockets(ctx, async (sockets) => {
      const listeners = [await sockets.listen(laptop, "the first device's socket"), await sockets.listen(phone, "the second device's socket")];
      const race: RaceOutcome = { posts: [], accepted: [], stored: new Set() };
      let next = 1;
      for (let round = 0; round < rounds; round++) {
        const answers = await Promise.all([laptop, phone].map((device) => ctx.client.postWallet(walletRequest(device.token, next))));
        race.posts.push(...answers);
        if (answers.some((exchange) => exchange.response?.status === 200)) race.accepted.push(next);
        // A POST whose answer was lost (5xx, no answer) may have stored its version: GET tells.
        const { wallet } = await steps.read(laptop);
        if (wallet) race.stored.add(wallet.sequence);
        next = (wallet?.sequence ?? 0) + 1;
      }
      const last = race.accepted.at(-1);
      if (last === undefined) throw new CheckAborted("no POST was stored");
      await Promise.all(listeners.map((listener) => listener.socket.waitUntil(() => announced(listener).includes(last), notificationWaitMs)));
      await quietPeriod();
      for (const listener of listeners) expectHeardInOrder(ctx, listener, race);
    });
  },
});

/** What the racing POSTs of `increasing` did. */
interface RaceOutcome {
  posts: Exchange[];
  /** Sequences a POST of which was answered 200, in order. */
  accepted: number[];
  /** Sequences GET showed stored. */
  stored: Set<number>;
}

/** NOTIFY-3: the socket heard only stored versions, in increasing order; NOTIFY-2: it heard every accepted one. */
function expectHeardInOrder(ctx: CheckContext, listener: Listener, race: RaceOutcome): void {
  const heard = announced(listener);
  const sent = `${race.posts.length} POSTs /wallet, two at a time for each next sequence`;
  const received = `sequences ${race.accepted.join(", ")} answered 200; ${describeSocket(listener)}`;
  const exchanges = [listener.upgrade, ...race.posts];
  const problems = announcementProblems(heard, new Set([...race.accepted, ...race.stored]));
  if (problems.length > 0) {
    ctx.report({
      requirement: "NOTIFY-3",
      message: `${listener.name}: ${problems.join("; ")}`,
      sent,
      received,
      expected: `wallet-update frames of stored sequences only, increasing: ${race.accepted.join(", ")}`,
      exchanges,
    });
  }
  const missed = race.accepted.filter((n) => !heard.includes(n));
  if (missed.length > 0) {
    ctx.report({
      requirement: "NOTIFY-2",
      message: `${listener.name} did not hear of ${missed.join(", ")}, whose POSTs were answered 200 while it was open`,
      sent,
      received,
      expected: `wallet-update frames for ${race.accepted.join(", ")}`,
      exchanges,
    });
  }
}

const closedByPasswordChange = defineCheck({
  requirement: "NOTIFY-4",
  slug: "password-change-closes-sockets",
  file: import.meta.url,
  alsoChecks: [...stepsTaken("device", "login", "store", "changePassword"), "NOTIFY-1"],
  title: "A password change closes every socket of the account (with or without a close frame)",
  async run(ctx) {
    const steps = new Steps(ctx);
    const laptop = await steps.device();
    const phone = await steps.login(laptop.account);
    const stored = await steps.store(laptop, 1);
    await withSockets(ctx, async (sockets) => {
      const listeners = [
        await sockets.listen(laptop, "the first device's socket"),
        await sockets.listen(laptop, "the first device's second socket"),
        await sockets.listen(phone, "the second device's socket"),
      ];
      const { exchange } = await changePassword(steps, laptop.account, nextWallet(stored));
      const about = { requirement: "NOTIFY-4", doing: "once a password change was answered 200", after: [exchange] };
      await Promise.all(listeners.map((listener) => expectClosed(ctx, listener, about)));
    });
  },
});

const upgradesDuringChange = 4;

const closedWhileChanging = defineCheck({
  requirement: "NOTIFY-4",
  slug: "upgrade-during-password-change",
  file: import.meta.url,
  alsoChecks: [...stepsTaken("device", "store"), "PASS-1", "NOTIFY-1"],
  title: "Sockets whose upgrade ran while a password change did are refused (401) or closed: none outlives the token",
  async run(ctx) {
    const steps = new Steps(ctx);
    const device = await steps.device();
    const stored = await steps.store(device, 1);
    await withSockets(ctx, async (sockets) => {
      const body = passwordChangeBody(device.account, nextWallet(stored));
      const [change, ...openings] = await Promise.all([
        ctx.client.changePassword(body),
        ...Array.from({ length: upgradesDuringChange }, () => sockets.open({ token: device.token })),
      ]);
      expectStatus(ctx, change, { requirement: "PASS-1", status: 200, doing: "a password change, with upgrades of the device's token under way" });
      if (change.response?.status !== 200) return;
      const about = { requirement: "NOTIFY-4", doing: "a socket whose upgrade ran while the password change did, once the change was answered 200", after: [change] };
      await Promise.all(
        openings.map(async ({ exchange, socket }, index) => {
          const name = `socket ${index + 1} of ${upgradesDuringChange}`;
          if (socket) await expectClosed(ctx, { socket, upgrade: exchange, name }, about);
          else expectStatus(ctx, exchange, { requirement: "NOTIFY-1", status: 401, doing: `the upgrade of ${name}, refused` });
        }),
      );
    });
  },
});

export const notificationChecks: CheckCase[] = [
  liveToken,
  missingToken,
  unknownToken,
  endedTokens,
  everySocket,
  refusedAnnounceNothing,
  increasing,
  closedByPasswordChange,
  closedWhileChanging,
];
