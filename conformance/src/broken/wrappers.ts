// Wrappers around the reference's request listener that change what goes in
// or what comes out, for servers broken on purpose. They rely only on the
// listener contract of node:http, not on the reference's internals.
import type { IncomingMessage, OutgoingHttpHeaders, RequestListener, ServerResponse } from "node:http";
import { Readable } from "node:stream";

export type HandlerWrapper = (listener: RequestListener) => RequestListener;

/** An answer: the status and the body parsed as JSON (or the text). */
export interface Answer {
  status: number;
  body: unknown;
  /** Headers to set over the listener's. */
  headers?: OutgoingHttpHeaders;
  /** The body exactly as sent; when absent, `body` is sent as JSON. */
  text?: string;
}

/** Lets `rewrite` replace any answer (status and JSON body); undefined keeps it. */
export function rewriteResponses(rewrite: (request: IncomingMessage, answer: Answer) => Answer | undefined): HandlerWrapper {
  return (listener) => (request, response) => {
    const writeHead = response.writeHead.bind(response) as (status: number, headers?: OutgoingHttpHeaders) => ServerResponse;
    const end = response.end.bind(response) as (chunk?: string | Buffer) => ServerResponse;
    let held: { status: number; headers: OutgoingHttpHeaders } | undefined;
    // Hold the head until the body is known, so the status and Content-Length can still change.
    response.writeHead = ((status: number, ...rest: unknown[]) => {
      const headers = rest.find((part) => typeof part === "object" && part !== null) as OutgoingHttpHeaders | undefined;
      held = { status, headers: { ...headers } };
      return response;
    }) as ServerResponse["writeHead"];
    response.end = ((chunk?: unknown) => {
      if (held === undefined) return end(chunk as string | Buffer | undefined);
      const text = typeof chunk === "string" ? chunk : Buffer.isBuffer(chunk) ? chunk.toString("utf8") : "";
      const changed = rewrite(request, { status: held.status, body: parseJson(text) });
      const sent = changed ? (changed.text ?? JSON.stringify(changed.body)) : text;
      const headers = { ...held.headers, ...changed?.headers, "content-length": Buffer.byteLength(sent) };
      writeHead(changed?.status ?? held.status, headers);
      return end(sent);
    }) as ServerResponse["end"];
    listener(request, response);
  };
}

/**
 * What to do with a request body: pass other bytes on, answer it here
 * instead, drop the connection, or (undefined) pass it on as it is.
 */
export type BodyRewrite = (request: IncomingMessage, body: Buffer) => Buffer | Answer | "drop-connection" | undefined;

/** Reads each request body first and lets `rewrite` change it, answer it, or drop the connection. */
export function rewriteRequests(rewrite: BodyRewrite): HandlerWrapper {
  return (listener) => (request, response) => {
    if (request.method === "GET" || request.method === "HEAD") {
      listener(request, response);
      return;
    }
    readAll(request).then(
      (body) => {
        const outcome = rewrite(request, body);
        if (outcome === "drop-connection") request.socket.destroy();
        else if (outcome === undefined || Buffer.isBuffer(outcome)) listener(replay(request, outcome ?? body), response);
        else answer(response, outcome);
      },
      () => request.socket.destroy(),
    );
  };
}

/** Sends `outcome` as the whole answer: JSON unless its headers say otherwise. */
export function answer(response: ServerResponse, outcome: Answer): void {
  const text = outcome.text ?? JSON.stringify(outcome.body);
  const headers = { "content-type": "application/json", ...outcome.headers, "content-length": Buffer.byteLength(text) };
  response.writeHead(outcome.status, headers);
  response.end(text);
}

function readAll(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.once("end", () => resolve(Buffer.concat(chunks)));
    request.once("error", reject);
  });
}

/** A request that reads as `body`, with the original's method, target and headers. */
function replay(original: IncomingMessage, body: Buffer): IncomingMessage {
  const stream = Readable.from(body.length > 0 ? [body] : [], { objectMode: false });
  return Object.assign(stream, {
    method: original.method,
    url: original.url,
    httpVersion: original.httpVersion,
    headers: { ...original.headers, "content-length": String(body.length) },
    rawHeaders: original.rawHeaders,
    socket: original.socket,
  }) as unknown as IncomingMessage;
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
