// Before a run: does anything answer at the URL at all? Any HTTP answer will
// do; refused connections, unknown hosts and silence mean there is nothing
// to check (exit 2), not a server that fails checks.
import { Agent } from "undici";
import { ProtocolClient } from "../client/protocol-client.js";
import { describeFailure } from "../report/describe.js";

export type ProbeResult = { reachable: true } | { reachable: false; reason: string };

export async function probe(baseUrl: string, timeoutMs: number): Promise<ProbeResult> {
  const dispatcher = new Agent({ headersTimeout: timeoutMs, bodyTimeout: timeoutMs, connections: 1 });
  try {
    const exchange = await new ProtocolClient({ baseUrl, timeoutMs, dispatcher }).send({ method: "GET", path: "/wallet" });
    if (exchange.response) return { reachable: true };
    return { reachable: false, reason: exchange.failure ? describeFailure(exchange.failure, timeoutMs) : "no answer" };
  } finally {
    await dispatcher.destroy().catch(() => undefined);
  }
}
