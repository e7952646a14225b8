// The notification channel's AsyncAPI document is valid AsyncAPI 3.0, and
// its message schema is the one the suite judges frames with.
import { readFileSync } from "node:fs";
import { Parser } from "@asyncapi/parser";
import { expect, test } from "vitest";
import { profileFiles } from "../index.js";
import { notificationPattern } from "../notifications.js";

const file = profileFiles("api3").asyncapi ?? "";

test("spec/api3/asyncapi.yaml parses as AsyncAPI 3.0 without errors", async () => {
  const { document, diagnostics } = await new Parser().parse(readFileSync(file, "utf8"));
  const errors = diagnostics.filter((d) => d.severity === 0).map((d) => `${d.path.join(".")}: ${d.message}`);
  expect(errors).toEqual([]);
  expect(document?.version()).toBe("3.0.0");
  expect(document?.channels().all().map((channel) => channel.address())).toEqual(["/api/3/websocket"]);
});

test("the walletUpdate message accepts `wallet-update:<sequence>` and nothing else", () => {
  for (const frame of ["wallet-update:1", "wallet-update:42"]) expect(notificationPattern().test(frame), frame).toBe(true);
  for (const frame of ["wallet-update:0", "wallet-update:-1", "wallet-update:", "wallet-update:1 ", "update:1"]) {
    expect(notificationPattern().test(frame), frame).toBe(false);
  }
});
