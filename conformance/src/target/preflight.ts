// Before a run of a profile that has one: what the server must allow for the
// suite to check it at all. An api3 server that verifies accounts by e-mail
// (or admits only an allow-list) cannot be checked from outside: every check
// needs accounts that log in at once. That is no failure of the protocol but
// a server set up for something else, so it stops the run (exit 2) with one
// line saying what to change.
import type { ProfileName } from "../../../spec/index.js";
import type { ConnectionSettings } from "../client/connection.js";
import { connectionDispatcher, directConnection } from "../client/connection.js";
import { ProtocolClient } from "../client/protocol-client.js";

export type PreflightResult = { ready: true } | { ready: false; reason: string };

const needsInstantVerification =
  "the suite needs a server that verifies every signup at once (the original: ACCOUNT_VERIFICATION_MODE=AllowAll)";

/** Signs one account up and reads the answer; only the api3 profile has anything to find out. */
export async function preflight(
  profile: ProfileName,
  baseUrl: string,
  account: { email: string; password: string; clientSaltSeed: string },
  options: { timeoutMs: number; connection?: ConnectionSettings },
): Promise<PreflightResult> {
  if (profile !== "api3") return { ready: true };
  const dispatcher = connectionDispatcher(options.connection ?? directConnection, { timeoutMs: options.timeoutMs, connections: 1 });
  try {
    const exchange = await new ProtocolClient({ baseUrl, profile, timeoutMs: options.timeoutMs, dispatcher }).signup(account);
    const status = exchange.response?.status;
    const verified = (exchange.response?.json as { verified?: unknown } | undefined)?.verified;
    if (status === 201 && verified === false) return { ready: false, reason: `a signup was answered "verified": false: ${needsInstantVerification}` };
    if (status === 403) return { ready: false, reason: `a signup was answered 403 (an allow-list?): ${needsInstantVerification}` };
    // Anything else is for the checks to judge.
    return { ready: true };
  } finally {
    await dispatcher.destroy().catch(() => undefined);
  }
}
