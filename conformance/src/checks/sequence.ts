// The sequence rule (SEQ-*): which POST /wallet is stored and what a refusal
// carries; that stored strings come back exactly is wallet-content.ts's.
import { walletPostBody, type Exchange } from "../client/protocol-client.js";
import type { WalletVersion } from "../../../spec/index.js";
import { defineCheck, type CheckCase } from "../model/case.js";
import { describeResponse, exchangeFinding } from "../model/describe.js";
import { expectStatus, jsonObject } from "./support/expect.js";
import { binds, sameWallet, Steps, stepsTaken, storedPart, walletOf, walletRequest, type Device } from "./support/steps.js";

const maxSequence = 4294967295;

/** What expectConflict reports, with the steps a case takes to get there. */
const conflictSteps = [...stepsTaken("device", "store", "refused"), "SEQ-3", "SEQ-4"];

/** A POST that breaks the sequence rule: 409, in the seed profile the stored wallet in the body (SEQ-4), and nothing changed. */
async function expectConflict(steps: Steps, device: Device, stored: WalletVersion, sequence: number, doing: string) {
  const exchange = await steps.refused(device, stored, { requirement: "SEQ-3", status: 409, doing }, () =>
    steps.ctx.client.postWallet(walletRequest(device.token, sequence)),
  );
  if (exchange.response?.status !== 409 || !binds(steps.ctx.profile, "SEQ-4")) return;
  steps.expectWallet(exchange, stored, {
    requirement: "SEQ-4",
    doing: "the 409",
    expected: "the stored wallet, as GET /wallet returns it",
  });
}

const firstWallet = defineCheck({
  requirement: "SEQ-1",
  slug: "first-wallet",
  file: import.meta.url,
  alsoChecks: stepsTaken("device", "store", "read"),
  title: "Sequence 1 is stored when the account has no wallet",
  async run(ctx) {
    const steps = new Steps(ctx);
    const device = await steps.device();
    const stored = await steps.store(device, 1);
    const { wallet, exchange } = await steps.read(device);
    if (!sameWallet(wallet, stored)) {
      const about = { requirement: "SEQ-1", doing: "GET /wallet after the first POST", expected: "the wallet stored" };
      steps.expectWallet(exchange, stored, about);
    }
  },
});

const nextSequence = defineCheck({
  requirement: "SEQ-2",
  slug: "next-sequence",
  file: import.meta.url,
  alsoChecks: stepsTaken("device", "store", "read"),
  title: "Sequence n is stored on top of n - 1",
  async run(ctx) {
    const steps = new Steps(ctx);
    const device = await steps.device();
    for (let sequence = 1; sequence <= 4; sequence++) {
      const stored = await steps.store(device, sequence);
      const { wallet, exchange } = await steps.read(device);
      if (!sameWallet(wallet, stored)) {
        const about = { requirement: "SEQ-2", doing: `GET /wallet after storing ${sequence}`, expected: "the wallet stored" };
        steps.expectWallet(exchange, stored, about);
      }
    }
  },
});

const skipAhead = defineCheck({
  requirement: "SEQ-3",
  slug: "skip-ahead",
  file: import.meta.url,
  alsoChecks: conflictSteps,
  title: "A sequence ahead of stored + 1 is refused with 409",
  async run(ctx) {
    const steps = new Steps(ctx);
    const device = await steps.device();
    const stored = await steps.store(device, 1);
    await expectConflict(steps, device, stored, 3, "a POST /wallet of sequence 3 onto stored 1");
    await expectConflict(steps, device, stored, maxSequence, `a POST /wallet of sequence ${maxSequence} onto stored 1`);
  },
});

const sameSequence = defineCheck({
  requirement: "SEQ-3",
  slug: "same-sequence",
  file: import.meta.url,
  alsoChecks: conflictSteps,
  title: "The stored sequence posted again (other content) is refused with 409",
  async run(ctx) {
    const steps = new Steps(ctx);
    const device = await steps.device();
    await steps.store(device, 1);
    const stored = await steps.store(device, 2);
    await expectConflict(steps, device, stored, 2, "a second POST /wallet of sequence 2");
  },
});

const stale = defineCheck({
  requirement: "SEQ-3",
  slug: "stale",
  file: import.meta.url,
  alsoChecks: conflictSteps,
  title: "A sequence below the stored one is refused with 409",
  async run(ctx) {
    const steps = new Steps(ctx);
    const device = await steps.device();
    const stored = await steps.storeVersions(device, 3);
    await expectConflict(steps, device, stored, 2, "a POST /wallet of sequence 2 onto stored 3");
  },
});

const firstAgain = defineCheck({
  requirement: "SEQ-3",
  slug: "first-again",
  file: import.meta.url,
  alsoChecks: conflictSteps,
  title: "Sequence 1 is refused with 409 once a wallet exists",
  async run(ctx) {
    const steps = new Steps(ctx);
    const device = await steps.device();
    const stored = await steps.storeVersions(device, 2);
    await expectConflict(steps, device, stored, 1, "a POST /wallet of sequence 1 onto stored 2");
  },
});

const conflictBody = defineCheck({
  requirement: "SEQ-4",
  slug: "conflict-carries-stored-wallet",
  file: import.meta.url,
  alsoChecks: [...stepsTaken("device", "store", "read"), "SEQ-3"],
  title: "A 409 carries the stored wallet exactly as GET /wallet returns it",
  async run(ctx) {
    const steps = new Steps(ctx);
    const device = await steps.device();
    const stored = await steps.storeVersions(device, 2);
    const conflict = await ctx.client.postWallet(walletRequest(device.token, 2));
    expectStatus(ctx, conflict, { requirement: "SEQ-3", status: 409, doing: "a second POST /wallet of sequence 2" });
    const { exchange: read } = await steps.read(device);
    steps.expectWallet(read, stored, { requirement: "WGET-1", doing: "GET /wallet", expected: "the stored wallet" });
    if (conflict.response?.status !== 409) return;
    const carried = walletOf(conflict);
    const got = walletOf(read);
    if (!carried || !got || carried.version !== got.version || !sameWallet(carried, got)) {
      ctx.report(exchangeFinding(conflict, {
        requirement: "SEQ-4",
        message: "the 409 does not carry the wallet GET /wallet returns",
        expected: `the stored wallet, as GET returns it: ${read.response?.text.trimEnd() ?? ""}`,
      }, read));
    }
  },
});

const noWalletConflict = defineCheck({
  requirement: "SEQ-5",
  slug: "no-wallet",
  file: import.meta.url,
  alsoChecks: stepsTaken("device", "refused"),
  title: "A sequence other than 1 is refused with 409 and an error when there is no wallet",
  async run(ctx) {
    const steps = new Steps(ctx);
    const device = await steps.device();
    for (const sequence of [2, 3, maxSequence]) {
      const doing = `a POST /wallet of sequence ${sequence} to an account with no wallet`;
      const exchange = await steps.refused(device, undefined, { requirement: "SEQ-5", status: 409, doing }, () =>
        ctx.client.postWallet(walletRequest(device.token, sequence)),
      );
      const error = jsonObject(exchange)?.["error"];
      if (exchange.response?.status === 409 && (typeof error !== "string" || error === "")) {
        ctx.report(exchangeFinding(exchange, {
          requirement: "SEQ-5",
          message: `${doing}: the 409 has no error message`,
          expected: 'an error body, e.g. {"error": "Conflict: Bad sequence number (No existing wallet)"}',
        }));
      }
    }
  },
});

const racers = 6;

/** Outcomes of concurrent POSTs: 5xx and transport failures are unknown, since they may or may not have taken effect. */
function tally(exchanges: Exchange[]) {
  const accepted = exchanges.filter((e) => e.response?.status === 200);
  const unknown = exchanges.filter((e) => !e.response || e.response.status >= 500);
  return { accepted, unknown };
}

/** "1 × 200, 5 × 409": how a race was answered. */
function statusCounts(exchanges: Exchange[]): string {
  const counts = new Map<string, number>();
  for (const exchange of exchanges) {
    const outcome = exchange.response ? String(exchange.response.status) : (exchange.failure?.kind ?? "no answer");
    counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
  }
  return [...counts].map(([outcome, count]) => `${count} × ${outcome}`).join(", ");
}

const concurrentSameSequence = defineCheck({
  requirement: "SEQ-6",
  slug: "concurrent-same-sequence",
  file: import.meta.url,
  alsoChecks: stepsTaken("device", "store", "read"),
  title: "Of concurrent POSTs of one sequence, exactly one (next) or none (not next) is stored",
  async run(ctx) {
    const steps = new Steps(ctx);
    const device = await steps.device();
    const base = await steps.store(device, 1);
    // Raw sends: a retried POST would blur which attempt was stored.
    const race = (sequence: number) =>
      Promise.all(
        Array.from({ length: racers }, () => {
          const body = walletRequest(device.token, sequence);
          return ctx.client
            .send({ method: "POST", path: "/wallet", body: walletPostBody(ctx.profile, body) })
            .then((exchange) => ({ body, exchange }));
        }),
      );

    const next = await race(2);
    const { accepted, unknown } = tally(next.map((r) => r.exchange));
    const { wallet: afterNext, exchange: readNext } = await steps.read(device);
    const candidates = next
      .filter((r) => r.exchange.response?.status === 200 || unknown.includes(r.exchange))
      .map((r) => storedPart(r.body));
    const acceptedBody = next.find((r) => r.exchange.response?.status === 200)?.body;
    const problems: string[] = [];
    if (accepted.length > 1) problems.push(`${accepted.length} of ${racers} concurrent POSTs of sequence 2 were answered 200`);
    if (accepted.length === 0 && unknown.length === 0) {
      problems.push(`none of ${racers} concurrent POSTs of sequence 2 onto stored 1 was stored`);
    }
    if (acceptedBody && !sameWallet(afterNext, storedPart(acceptedBody))) {
      problems.push("the wallet read afterwards is not the one whose POST was answered 200");
    }
    if (!acceptedBody && !sameWallet(afterNext, base) && !candidates.some((c) => sameWallet(c, afterNext))) {
      problems.push("the wallet read afterwards is none of the versions posted");
    }
    const conflictsCarryWallet = binds(ctx.profile, "SEQ-4");
    for (const { exchange } of next) {
      if (conflictsCarryWallet && exchange.response?.status === 409 && afterNext && !sameWallet(walletOf(exchange), afterNext)) {
        problems.push("a 409 of the race does not carry the winner's wallet");
        break;
      }
    }
    const settled = afterNext ?? base;
    const ahead = await race(settled.sequence + 2);
    const aheadTally = tally(ahead.map((r) => r.exchange));
    const { wallet: afterAhead, exchange: readAhead } = await steps.read(device);
    if (aheadTally.accepted.length > 0) {
      problems.push(`${aheadTally.accepted.length} concurrent POSTs skipping a sequence were answered 200`);
    }
    if (aheadTally.unknown.length === 0 && !sameWallet(afterAhead, settled)) {
      problems.push("concurrent POSTs skipping a sequence changed the wallet");
    }

    if (problems.length > 0) {
      ctx.report({
        requirement: "SEQ-6",
        message: problems.join("; "),
        sent: `${racers} concurrent POSTs of sequence 2 onto stored 1, then ${racers} of sequence ${settled.sequence + 2}`,
        received: [
          `sequence 2: ${statusCounts(next.map((r) => r.exchange))}`,
          `sequence ${settled.sequence + 2}: ${statusCounts(ahead.map((r) => r.exchange))}`,
          `then GET /wallet -> ${describeResponse(readAhead)}`,
        ].join("; "),
        expected: `exactly one 200 and 409s${conflictsCarryWallet ? " carrying its wallet" : ""}; then only 409s and nothing changed`,
        exchanges: [...next.map((r) => r.exchange), readNext, ...ahead.map((r) => r.exchange), readAhead],
      });
    }
  },
});

const echo = defineCheck({
  requirement: "SEQ-7",
  slug: "echo",
  file: import.meta.url,
  alsoChecks: stepsTaken("device", "store"),
  title: "A 200 to POST /wallet carries the wallet just stored",
  async run(ctx) {
    const steps = new Steps(ctx);
    const device = await steps.device();
    await steps.storeVersions(device, 3);
  },
});

export const sequenceChecks: CheckCase[] = [
  firstWallet,
  nextSequence,
  skipAhead,
  sameSequence,
  stale,
  firstAgain,
  conflictBody,
  noWalletConflict,
  concurrentSameSequence,
  echo,
];
