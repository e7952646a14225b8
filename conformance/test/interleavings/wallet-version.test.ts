// The history checker core declares the wallet triple and the profile names
// itself (it imports nothing outside its folder); they must stay the spec's.
import { describe, expect, expectTypeOf, test } from "vitest";
import { loadOpenApi, type ProfileName, type WalletVersion as SpecWalletVersion } from "../../../spec/index.js";
import { versionOf, type HistoryProfile, type PostOperation, type WalletVersion } from "../../src/history/history.js";

describe("the history's WalletVersion", () => {
  test("is the spec's WalletVersion type (a compile-time check: npm run typecheck fails on drift)", () => {
    expectTypeOf<WalletVersion>().toEqualTypeOf<SpecWalletVersion>();
  });

  test("holds every field of the spec's Wallet schema but the body's version and error", () => {
    const schemas = (loadOpenApi()["components"] as { schemas: Record<string, { properties: Record<string, unknown> }> }).schemas;
    const walletFields = Object.keys(schemas["Wallet"]!.properties).filter((field) => field !== "version" && field !== "error");
    const post = { request: { encryptedWallet: "w", sequence: 1, hmac: "h", baseSequence: 0 } } as PostOperation;
    expect(Object.keys(versionOf(post)).sort()).toEqual(walletFields.sort());
  });
});

test("the history's profile names are the spec's (a compile-time check)", () => {
  expectTypeOf<HistoryProfile>().toEqualTypeOf<ProfileName>();
});
