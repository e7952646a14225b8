// Unknown request fields (VAL-5, api3): every POST endpoint answers a body
// with a field it does not define 400, and nothing changes. Each body is
// otherwise valid and would change something visibly if it were accepted.
import { defineCheck, type CheckCase } from "../model/case.js";
import { accountState, nextWallet, passwordChangeBody, refusedPasswordChange } from "./support/account-steps.js";
import { expectStatus } from "./support/expect.js";
import { loginBody, Steps, stepsTaken, walletBody, type StepName } from "./support/steps.js";
import type { CheckContext } from "../model/context.js";

/** A field no endpoint defines, sent with each endpoint's near miss (`Endpoint.nearMiss`). */
const invented = { field: "unknownField", value: true as unknown };

const doing = (path: string, field: string) => `a POST ${path} with the unknown field \`${field}\``;

interface Endpoint {
  path: string;
  /** A field of another endpoint or profile, which a confused client would send; sent besides an invented one. */
  nearMiss: { field: string; value: unknown };
  steps: StepName[];
  title: string;
  /** Sets up, sends each body with an unknown field, and checks nothing changed. */
  run(ctx: CheckContext, withUnknown: (valid: object) => ReadonlyArray<{ field: string; body: object }>): Promise<void>;
}

const endpoints: Endpoint[] = [
  {
    path: "/signup",
    nearMiss: { field: "deviceId", value: "device" },
    steps: ["signup"],
    title: "creates no account",
    async run(ctx, withUnknown) {
      const steps = new Steps(ctx);
      const account = steps.credentials();
      for (const { field, body } of withUnknown(account)) {
        const exchange = await ctx.client.send({ method: "POST", path: "/signup", body });
        expectStatus(ctx, exchange, { requirement: "VAL-5", status: 400, doing: doing("/signup", field) });
      }
      await steps.noAccountYet(account, "VAL-5", "signups with unknown fields");
    },
  },
  {
    path: "/auth/full",
    nearMiss: { field: "clientSaltSeed", value: "0".repeat(64) },
    steps: ["device"],
    title: "issues no token",
    async run(ctx, withUnknown) {
      const steps = new Steps(ctx);
      const device = await steps.device();
      for (const { field, body } of withUnknown(loginBody(device.account, device.deviceId))) {
        const exchange = await ctx.client.send({ method: "POST", path: "/auth/full", body });
        expectStatus(ctx, exchange, { requirement: "VAL-5", status: 400, doing: doing("/auth/full", field) });
      }
      // A token issued for this device would have replaced the device's token.
      await steps.tokenWorks(device, "VAL-5", "reading the wallet with the device's token after those logins");
    },
  },
  {
    path: "/wallet",
    nearMiss: { field: "version", value: 1 },
    steps: ["device", "store", "refused"],
    title: "stores nothing",
    async run(ctx, withUnknown) {
      const steps = new Steps(ctx);
      const device = await steps.device();
      const stored = await steps.store(device, 1);
      for (const { field, body } of withUnknown(walletBody(ctx.profile, device.token, 2))) {
        await steps.refused(device, stored, { requirement: "VAL-5", status: 400, doing: doing("/wallet", field) }, () =>
          ctx.client.send({ method: "POST", path: "/wallet", body }),
        );
      }
    },
  },
  {
    path: "/password",
    nearMiss: { field: "token", value: "0".repeat(64) },
    steps: ["device", "store", "accountUnchanged"],
    title: "changes neither password, salt seed, wallet nor tokens",
    async run(ctx, withUnknown) {
      const steps = new Steps(ctx);
      const device = await steps.device();
      const stored = await steps.store(device, 1);
      const before = await accountState(steps, device);
      const valid = passwordChangeBody(device.account, nextWallet(stored));
      for (const { field, body } of withUnknown(valid)) {
        await refusedPasswordChange(
          steps,
          before,
          { requirement: "VAL-5", status: 400, doing: doing("/password", field) },
          () => ctx.client.send({ method: "POST", path: "/password", body }),
          valid.newPassword,
        );
      }
    },
  },
];

export const unknownFieldChecks: CheckCase[] = endpoints.map((endpoint) =>
  defineCheck({
    requirement: "VAL-5",
    slug: endpoint.path.replace(/^\//, "").replace(/\//g, "-"),
    file: import.meta.url,
    alsoChecks: stepsTaken(...endpoint.steps),
    title: `A POST ${endpoint.path} with a field it does not define is answered 400 and ${endpoint.title}`,
    run: (ctx) =>
      endpoint.run(ctx, (valid) =>
        [invented, endpoint.nearMiss].map(({ field, value }) => ({ field, body: { ...valid, [field]: value } })),
      ),
  }),
);
