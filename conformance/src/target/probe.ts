// Before a run: does anything answer at the URL at all? Any HTTP answer will
// do; refused connections, unknown hosts, silence, an answer that is not HTTP
// or whose body never ends mean there is nothing to check (exit 2), not a
// server that fails checks. With a wait, the probe is tried again until the
// server answers, for CI jobs that start the server and the suite together.
import { setTimeout as sleep } from "node:timers/promises";
import { connectionDispatcher, directConnection, type ConnectionSettings } from "../client/connection.js";
import { ProtocolClient } from "../client/protocol-client.js";
import { describeFailure } from "../model/describe.js";

export type ProbeResult = { reachable: true } | { reachable: false; reason: string };

export interface ProbeOptions {
  connection?: ConnectionSettings;
  /** Keep trying this long (ms) while nothing answers; 0: one try. */
  waitForMs?: number;
}

const retryDelayMs = 250;

export async function probe(baseUrl: string, timeoutMs: number, options: ProbeOptions = {}): Promise<ProbeResult> {
  const deadline = performance.now() + (options.waitForMs ?? 0);
  for (;;) {
    const result = await probeOnce(baseUrl, timeoutMs, options.connection ?? directConnection);
    if (result.reachable || performance.now() + retryDelayMs >= deadline) return result;
    await sleep(retryDelayMs);
  }
}

async function probeOnce(baseUrl: string, timeoutMs: number, connection: ConnectionSettings): Promise<ProbeResult> {
  const dispatcher = connectionDispatcher(connection, { timeoutMs, connections: 1 });
  try {
    const exchange = await new ProtocolClient({ baseUrl, timeoutMs, dispatcher }).send({ method: "GET", path: "/wallet" });
    if (exchange.response) return { reachable: true };
    return { reachable: false, reason: exchange.failure ? describeFailure(exchange.failure, timeoutMs) : "no answer" };
  } finally {
    await dispatcher.destroy().catch(() => undefined);
  }
}
