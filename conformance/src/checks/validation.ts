// Validation of POST /wallet bodies (VAL-*): every refused body leaves the
// wallet as it was. Each body carries the account's valid token and the next
// sequence, so a server that wrongly accepted one would visibly store it.
import type { ProfileName, WalletVersion } from "../../../spec/index.js";
import { walletBodyVersion } from "../client/protocol-client.js";
import { defineCheck, type CheckCase } from "../model/case.js";
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
import { Steps, stepsTaken, walletBody, type Device } from "./support/steps.js";

/** The JSON type of each field of the profile's POST /wallet body (the seed profile's has `version` too). */
function walletFieldTypes(profile: ProfileName): Record<string, JsonType> {
  const types: Record<string, JsonType> = { token: "string", encryptedWallet: "string", sequence: "number", hmac: "string" };
  return walletBodyVersion(profile) === undefined ? types : { version: "number", ...types };
}

/** An account with a wallet at sequence 1, and the body of its next (valid) version. */
interface WalletAtOne {
  steps: Steps;
  device: Device;
  stored: WalletVersion;
  /** The body of the next version, valid as it is. */
  next: object;
}

async function walletAtOne(ctx: CheckContext): Promise<WalletAtOne> {
  const steps = new Steps(ctx);
  const device = await steps.device();
  const stored = await steps.store(device, 1);
  return { steps, device, stored, next: walletBody(ctx.profile, device.token, 2) };
}

async function expectRefusals(
  steps: Steps,
  device: Device,
  stored: WalletVersion,
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

/** A check that every body bodiesFor(next) makes is refused, leaving the wallet at sequence 1; in `profiles` only, when given. */
function refusedBodiesCheck(
  requirement: string,
  slug: string,
  title: string,
  status: ExpectedStatus,
  bodiesFor: (next: object, profile: ProfileName) => BodyCase[],
  profiles?: readonly ProfileName[],
): CheckCase {
  return defineCheck({
    requirement,
    slug,
    ...(profiles ? { profiles } : {}),
    file: import.meta.url,
    alsoChecks: stepsTaken("device", "store", "refused"),
    title,
    async run(ctx) {
      const { steps, device, stored, next } = await walletAtOne(ctx);
      await expectRefusals(steps, device, stored, requirement, status, bodiesFor(next, ctx.profile));
    },
  });
}

const replaced = (next: object, field: string, json: string): BodyCase => ({
  text: withField(next, field, json),
  what: `\`${field}\` ${json}`,
});

/** Sequences above the 32-bit range the protocol allows. */
const tooLargeSequences = ["4294967296", "4294967297", "9007199254740993", "1e300"];
const tooLargeBodies = (next: object): BodyCase[] => tooLargeSequences.map((json) => replaced(next, "sequence", json));

export const validationChecks: CheckCase[] = [
  refusedBodiesCheck(
    "VAL-1",
    "not-an-object",
    "A POST /wallet body that is not a JSON object, or not JSON at all, is refused with 400",
    400,
    notAnObjectBodies,
  ),
  refusedBodiesCheck("VAL-1", "field-missing", "A POST /wallet body without one of its fields is refused with 400", 400, (next) => missingFieldBodies(next)),
  refusedBodiesCheck("VAL-1", "wrong-type", "A POST /wallet field of the wrong JSON type is refused with 400", 400, (next, profile) => [
    ...wrongTypeBodies(next, walletFieldTypes(profile)),
    { text: withField(next, "sequence", '"2"'), what: '`sequence` as the string "2"' },
    ...("version" in next ? [{ text: withField(next, "version", '"1"'), what: '`version` as the string "1"' }] : []),
  ]),
  refusedBodiesCheck(
    "VAL-2",
    "version-not-1",
    "A POST /wallet whose version is not 1 is refused with 400",
    400,
    (next) => ["0", "2", "-1", "1.5"].map((json) => replaced(next, "version", json)),
    ["seed"],
  ),
  refusedBodiesCheck(
    "VAL-2",
    "bad-values",
    "A POST /wallet with an empty string, or a sequence not an integer >= 1, is refused with 400",
    400,
    (next) => [
      ...emptyStringBodies(next, ["token", "encryptedWallet", "hmac"]),
      ...["0", "-1", "1.5", "2.5"].map((json) => replaced(next, "sequence", json)),
    ],
  ),
  refusedBodiesCheck(
    "VAL-3",
    "sequence-above-range",
    "A POST /wallet whose sequence is above 4294967295 is refused with a 4xx",
    "4xx",
    tooLargeBodies,
  ),
  refusedBodiesCheck(
    "VAL-4",
    "sequence-above-range-400",
    "A POST /wallet whose sequence is above 4294967295 is answered 400",
    400,
    tooLargeBodies,
  ),
];
