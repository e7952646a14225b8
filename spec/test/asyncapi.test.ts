// The notification channel's AsyncAPI document is valid AsyncAPI 3.0, and
// its message schema is the one the suite judges frames with.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Ajv } from "ajv";
import * as ajvFormats from "ajv-formats";
import { expect, test } from "vitest";
import { parse as parseYaml } from "yaml";
import { profileFiles } from "../index.js";
import { notificationPattern } from "../notifications.js";

const file = profileFiles("api3").asyncapi ?? "";

// The AsyncAPI Initiative's own JSON Schema of the 3.0.0 document format (draft-07).
const asyncApiSchema = createRequire(import.meta.url)("@asyncapi/specs/schemas/3.0.0-without-$id.json") as object;

test("spec/api3/asyncapi.yaml is a valid AsyncAPI 3.0 document", () => {
  const document = parseYaml(readFileSync(file, "utf8")) as { asyncapi: string; channels: Record<string, { address: string }> };
  const ajv = new Ajv({ allErrors: true, strict: false });
  (ajvFormats.default as unknown as (a: Ajv) => void)(ajv);
  const validate = ajv.compile(asyncApiSchema);
  const valid = validate(document);
  expect(valid, JSON.stringify(validate.errors?.slice(0, 5))).toBe(true);
  expect(document.asyncapi).toBe("3.0.0");
  expect(Object.values(document.channels).map((channel) => channel.address)).toEqual(["/api/3/websocket"]);
});

test("a document that breaks the AsyncAPI 3.0 format is refused by the same schema", () => {
  const validate = new Ajv({ strict: false, validateFormats: false }).compile(asyncApiSchema);
  expect(validate({ asyncapi: "3.0.0", info: { title: "x" }, channels: {} })).toBe(false);
});

test("the walletUpdate message accepts `wallet-update:<sequence>` and nothing else", () => {
  for (const frame of ["wallet-update:1", "wallet-update:42"]) expect(notificationPattern().test(frame), frame).toBe(true);
  for (const frame of ["wallet-update:0", "wallet-update:-1", "wallet-update:", "wallet-update:1 ", "update:1"]) {
    expect(notificationPattern().test(frame), frame).toBe(false);
  }
});
