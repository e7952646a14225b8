// Reading the wallet (WGET-*): the stored wallet exactly, 404 before the
// first, 400 without a token and 401 for a token that is not live.
import type { WalletVersion } from "../../../spec/index.js";
import { defineCheck, type CheckCase } from "../model/case.js";
import { expectStatus } from "./support/expect.js";
import { randomHex, Steps, stepsTaken, walletRequest } from "./support/steps.js";

const exact = defineCheck({
  requirement: "WGET-1",
  slug: "exact-wallet",
  file: import.meta.url,
  alsoChecks: stepsTaken("device", "store"),
  title: "GET /wallet returns the wallet exactly as last stored (in the seed profile with version 1)",
  async run(ctx) {
    const steps = new Steps(ctx);
    const device = await steps.device();
    for (let sequence = 1; sequence <= 2; sequence++) {
      const stored = await steps.store(device, sequence);
      for (let read = 0; read < 2; read++) {
        const exchange = await ctx.client.getWallet(device.token);
        if (!expectStatus(ctx, exchange, { requirement: "WGET-1", status: 200, doing: "reading a stored wallet" })) return;
        steps.expectWallet(exchange, stored, { requirement: "WGET-1", doing: "GET /wallet", expected: "the wallet last stored" });
      }
    }
  },
});

const noWallet = defineCheck({
  requirement: "WGET-2",
  slug: "no-wallet-yet",
  file: import.meta.url,
  alsoChecks: stepsTaken("device"),
  title: "GET /wallet before the first POST is answered 404 with an error body",
  async run(ctx) {
    const steps = new Steps(ctx);
    const device = await steps.device();
    const exchange = await ctx.client.getWallet(device.token);
    expectStatus(ctx, exchange, { requirement: "WGET-2", status: 404, doing: "reading the wallet of an account that has none" });
  },
});

const missingToken = defineCheck({
  requirement: "WGET-3",
  slug: "missing-token",
  file: import.meta.url,
  title: "GET /wallet without a token parameter is answered 400",
  async run(ctx) {
    for (const path of ["/wallet", "/wallet?", `/wallet?tokens=${randomHex(32)}`]) {
      const exchange = await ctx.client.send({ method: "GET", path });
      expectStatus(ctx, exchange, { requirement: "WGET-3", status: 400, doing: `GET ${path}` });
    }
  },
});

const unknownToken = defineCheck({
  requirement: "WGET-4",
  slug: "unknown-token",
  file: import.meta.url,
  alsoChecks: stepsTaken("device", "store", "refused"),
  title: "GET and POST /wallet with an unknown token are answered 401 and change nothing",
  async run(ctx) {
    const steps = new Steps(ctx);
    const device = await steps.device();
    const unknown = randomHex(32);
    const read = await ctx.client.getWallet(unknown);
    expectStatus(ctx, read, { requirement: "WGET-4", status: 401, doing: "reading the wallet with an unknown token" });
    const empty = await ctx.client.send({ method: "GET", path: "/wallet?token=" });
    expectStatus(ctx, empty, { requirement: "WGET-4", status: [400, 401], doing: "reading the wallet with an empty token" });
    const refusedPost = (token: string, sequence: number, before: WalletVersion | undefined, doing: string) =>
      steps.refused(device, before, { requirement: "WGET-4", status: 401, doing }, () =>
        ctx.client.postWallet(walletRequest(token, sequence)),
      );
    await refusedPost(unknown, 1, undefined, "a POST /wallet of sequence 1 with an unknown token");
    const stored = await steps.store(device, 1);
    await refusedPost(unknown, 2, stored, "a POST /wallet of sequence 2 with an unknown token");
    // One character off: a server comparing prefixes would let it through.
    const oneOff = device.token.slice(0, -1) + (device.token.endsWith("0") ? "1" : "0");
    await refusedPost(oneOff, 2, stored, "a POST /wallet with the token's last digit changed");
  },
});

export const walletReadChecks: CheckCase[] = [exact, noWallet, missingToken, unknownToken];
