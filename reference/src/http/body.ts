// Reading request bodies under a byte limit (HTTP-4) and parsing them as JSON
// whatever their Content-Type (HTTP-5).
import type { IncomingMessage } from "node:http";

export const defaultBodyLimitBytes = 1024 * 1024;
/** How much of an oversized body is read and discarded beyond the limit before giving up on the connection. */
export const defaultDrainAllowanceBytes = 8 * 1024 * 1024;

export type BodyReading =
  | { kind: "complete"; bytes: Buffer }
  /**
   * Over the limit. `drained`: the whole body was read, so the answer reaches
   * a client that was still writing and the connection stays usable; when
   * false the connection must be closed after answering.
   */
  | { kind: "too-large"; drained: boolean }
  /** The client went away before the body ended; there is nobody to answer. */
  | { kind: "aborted" };

export interface BodyLimits {
  limitBytes: number;
  drainAllowanceBytes: number;
}

export function readBody(request: IncomingMessage, limits: BodyLimits): Promise<BodyReading> {
  const drainCap = limits.limitBytes + limits.drainAllowanceBytes;
  const declared = Number(request.headers["content-length"] ?? Number.NaN);
  if (declared > drainCap) return Promise.resolve({ kind: "too-large", drained: false });

  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const settle = (reading: BodyReading): void => {
      if (settled) return;
      settled = true;
      request.off("data", onData);
      if (reading.kind === "too-large" && !reading.drained) request.pause();
      resolve(reading);
    };
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      if (received <= limits.limitBytes) chunks.push(chunk);
      else chunks.length = 0; // past the limit: keep counting, stop keeping
      if (received > drainCap) settle({ kind: "too-large", drained: false });
    };
    request.on("data", onData);
    request.once("end", () =>
      settle(
        received > limits.limitBytes
          ? { kind: "too-large", drained: true }
          : { kind: "complete", bytes: Buffer.concat(chunks, received) },
      ),
    );
    request.once("error", () => settle({ kind: "aborted" }));
    request.once("close", () => settle({ kind: "aborted" }));
  });
}

export type JsonParse = { ok: true; value: unknown } | { ok: false };

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** Parses bytes as JSON; bytes that are not UTF-8 are malformed too, since the stored strings must be exact. */
export function parseJsonBody(bytes: Uint8Array): JsonParse {
  try {
    return { ok: true, value: JSON.parse(strictUtf8.decode(bytes)) as unknown };
  } catch {
    return { ok: false };
  }
}
