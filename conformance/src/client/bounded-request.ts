// One request through undici's dispatch API, its answer read whole within
// fixed bounds: at most `maxBytes` of body, and no longer than `timeoutMs`
// for the whole exchange (a body dripped a byte at a time is cut too).
// undici's request() would wrap every answer in a stream and every request
// in an abort signal: at the thousands of requests a second of a soak, that
// was near half of what a request cost the suite.
import type { IncomingHttpHeaders } from "node:http";
import type { Dispatcher } from "undici";
import { BodyTooLarge, CappedChunks } from "./bounded-body.js";

export interface BoundedRequest {
  /** The whole URL, parsed here: one that does not parse is a failure of the exchange like any other. */
  url: string;
  method: Dispatcher.HttpMethod;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

export interface Bounds {
  timeoutMs: number;
  maxBytes: number;
}

export type BoundedResult =
  | { ok: true; status: number; headers: IncomingHttpHeaders; text: string }
  /** `status` is set when the answer's head came before the failure; `timedOut` when the deadline passed. */
  | { ok: false; error: unknown; status?: number; timedOut: boolean };

/** The whole exchange took longer than its deadline. */
export class DeadlinePassed extends Error {
  constructor(timeoutMs: number) {
    super(`no complete answer within ${timeoutMs} ms`);
    this.name = "DeadlinePassed";
  }
}

/** Sends `request` and reads its answer within `bounds`; never rejects. */
export function boundedRequest(dispatcher: Dispatcher, request: BoundedRequest, bounds: Bounds): Promise<BoundedResult> {
  return new Promise((resolve) => {
    let controller: Dispatcher.DispatchController | undefined;
    let status: number | undefined;
    let headers: IncomingHttpHeaders = {};
    const body = new CappedChunks(bounds.maxBytes);
    let settled = false;
    const settle = (result: BoundedResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      resolve(result);
    };
    const fail = (error: unknown, timedOut = false): void => settle({ ok: false, error, timedOut, ...(status !== undefined ? { status } : {}) });
    const deadline = setTimeout(() => {
      const error = new DeadlinePassed(bounds.timeoutMs);
      // Settled first: aborting calls onResponseError at once. A request still queued for a connection is aborted as it starts (onRequestStart).
      fail(error, true);
      controller?.abort(error);
    }, bounds.timeoutMs);
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(started) {
        controller = started;
        if (settled) started.abort(new DeadlinePassed(bounds.timeoutMs));
      },
      onResponseStart(_controller, statusCode, responseHeaders) {
        // An informational answer (100 Continue) comes before the final one.
        if (statusCode < 200) return;
        status = statusCode;
        headers = responseHeaders;
      },
      onResponseData(started, chunk) {
        if (settled || body.add(chunk)) return;
        const error = new BodyTooLarge(bounds.maxBytes);
        fail(error);
        started.abort(error);
      },
      onResponseEnd() {
        if (settled) return;
        if (status === undefined) fail(new Error("the connection ended without a final answer"));
        else settle({ ok: true, status, headers, text: body.text() });
      },
      onResponseError(_controller, error) {
        fail(error);
      },
    };
    try {
      const url = new URL(request.url);
      dispatcher.dispatch(
        { origin: url.origin, path: `${url.pathname}${url.search}`, method: request.method, headers: request.headers, ...(request.body !== undefined ? { body: request.body } : {}) },
        handler,
      );
    } catch (error) {
      fail(error);
    }
  });
}
