// Validation of POST /wallet bodies (VAL-*): every refused body leaves the
// wallet as it was. Each body carries the account's valid token and the next
// sequence, so a server that wrongly accepted one would visibly store it.
import type { WalletRequest } from "../../../spec/index.js";
import { defineCheck, type CheckCase } from "../model/check.js";
import type { CheckContext } from "../model/context.js";
import {
  emptyStringBodies,
  missingFieldBodies,
  notAnObjectBodies,
  withField,
  wrongTypeBodies,
  type BodyCase,
  type JsonType,
} from "./support/bodies.js";
import type { ExpectedStatus } from "./support/expect.js";
import { Steps, walletRequest, type Device, type StoredWallet } from "./support/steps.js";

const walletFieldTypes: Record<keyof WalletRequest, JsonType> = {
  version: "number",
  token: "string",
  encryptedWallet: "string",
  sequence: "number",
  hmac: "string",
};

/** An account with a wallet at sequence 1, and the body of its next (valid) version. */
interface WalletAtOne {
  steps: Steps;
  device: Device;
  stored: StoredWallet;
  /** The body of the next version, valid as it is. */
  next: WalletRequest;
}

async function walletAtOne(ctx: CheckContext): Promise<WalletAtOne> {
  const steps = new Steps(ctx);
  const device = await steps.device();
  const stored = await steps.store(device, 1);
  return { steps, device, stored, next: walletRequest(device.token, 2) };
}

async function expectRefusals(
  steps: Steps,
  device: Device,
  stored: StoredWallet,
  requirement: string,
  status: ExpectedStatus,
  bodies: BodyCase[],
): Promise<void> {
  for (const body of bodies) {
    await steps.refused(device, stored, { requirement, status, doing: `a POST /wallet with ${body.what}` }, () =>
      steps.ctx.client.send({ method: "POST", path: "/wallet", body: body.text }),
    );
  }
}

const notAnObject = defineCheck({
  requirement: "VAL-1",
  slug: "not-an-object",
  title: "A POST /wallet body that is not a JSON object, or not JSON at all, is refused with 400",
  async run(ctx) {
    const { steps, device, stored, next } = await walletAtOne(ctx);
    await expectRefusals(steps, device, stored, "VAL-1", 400, notAnObjectBodies(next));
  },
});

const missingField = defineCheck({
  requirement: "VAL-1",
  slug: "field-missing",
  title: "A POST /wallet body without one of its fields is refused with 400",
  async run(ctx) {
    const { steps, device, stored, next } = await walletAtOne(ctx);
    await expectRefusals(steps, device, stored, "VAL-1", 400, missingFieldBodies(next));
  },
});

const wrongType = defineCheck({
  requirement: "VAL-1",
  slug: "wrong-type",
  title: "A POST /wallet field of the wrong JSON type is refused with 400",
  async run(ctx) {
    const { steps, device, stored, next } = await walletAtOne(ctx);
    const bodies = [
      ...wrongTypeBodies(next, walletFieldTypes),
      { text: withField(next, "sequence", '"2"'), what: '`sequence` as the string "2"' },
      { text: withField(next, "version", '"1"'), what: '`version` as the string "1"' },
    ];
    await expectRefusals(steps, device, stored, "VAL-1", 400, bodies);
  },
});

const badValues = defineCheck({
  requirement: "VAL-2",
  slug: "bad-values",
  title: "A POST /wallet with version not 1, an empty string, or a sequence not an integer >= 1 is refused with 400",
  async run(ctx) {
    const { steps, device, stored, next } = await walletAtOne(ctx);
    const replaced = (field: keyof WalletRequest, json: string): BodyCase => ({
      text: withField(next, field, json),
      what: `\`${field}\` ${json}`,
    });
    const bodies: BodyCase[] = [
      ...["0", "2", "-1", "1.5"].map((json) => replaced("version", json)),
      ...emptyStringBodies(next, ["token", "encryptedWallet", "hmac"]),
      ...["0", "-1", "1.5", "2.5"].map((json) => replaced("sequence", json)),
    ];
    await expectRefusals(steps, device, stored, "VAL-2", 400, bodies);
  },
});

/** Sequences above the 32-bit range the protocol allows. */
const tooLargeSequences = ["4294967296", "4294967297", "9007199254740993", "1e300"];

function tooLargeBodies(next: WalletRequest): BodyCase[] {
  return tooLargeSequences.map((json) => ({ text: withField(next, "sequence", json), what: `\`sequence\` ${json}` }));
}

const sequenceTooLarge = defineCheck({
  requirement: "VAL-3",
  slug: "sequence-above-range",
  title: "A POST /wallet whose sequence is above 4294967295 is refused with a 4xx",
  async run(ctx) {
    const { steps, device, stored, next } = await walletAtOne(ctx);
    await expectRefusals(steps, device, stored, "VAL-3", "4xx", tooLargeBodies(next));
  },
});

const sequenceTooLargeIs400 = defineCheck({
  requirement: "VAL-4",
  slug: "sequence-above-range-400",
  title: "A POST /wallet whose sequence is above 4294967295 is answered 400",
  async run(ctx) {
    const { steps, device, stored, next } = await walletAtOne(ctx);
    await expectRefusals(steps, device, stored, "VAL-4", 400, tooLargeBodies(next));
  },
});

export const validationChecks: CheckCase[] = [
  notAnObject,
  missingField,
  wrongType,
  badValues,
  sequenceTooLarge,
  sequenceTooLargeIs400,
];
