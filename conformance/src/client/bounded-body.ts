// Reading an answer within fixed bounds, whatever a server sends: the body is
// read up to a byte cap and the stream dropped past it, and JSON is parsed
// only after a scan shows it nests no deeper than a limit (JSON.parse of
// `[[[[…` hundreds of thousands deep costs memory out of all proportion).

/** The body went past the cap; what was read is dropped. */
export class BodyTooLarge extends Error {
  constructor(readonly maxBytes: number) {
    super(`the body is larger than ${formatBytes(maxBytes)}, the most the suite reads`);
    this.name = "BodyTooLarge";
  }
}

interface DestroyableBody extends AsyncIterable<Uint8Array> {
  destroy(error?: Error): unknown;
}

/** A body's chunks gathered up to a byte cap: once past it, nothing is kept. */
export class CappedChunks {
  private chunks: Uint8Array[] = [];
  private size = 0;

  constructor(readonly maxBytes: number) {}

  /** Keeps the chunk; false (and the chunks dropped) once the body has passed the cap. */
  add(chunk: Uint8Array): boolean {
    this.size += chunk.byteLength;
    if (this.size > this.maxBytes) {
      this.chunks = [];
      return false;
    }
    this.chunks.push(chunk);
    return true;
  }

  /** The body as UTF-8 text; only while within the cap. */
  text(): string {
    return Buffer.concat(this.chunks, this.size).toString("utf8");
  }
}

/** The body as UTF-8 text; throws BodyTooLarge as soon as it passes maxBytes. */
export async function readCappedText(body: DestroyableBody, maxBytes: number): Promise<string> {
  const capped = new CappedChunks(maxBytes);
  for await (const chunk of body) {
    if (!capped.add(chunk)) {
      body.destroy();
      throw new BodyTooLarge(maxBytes);
    }
  }
  return capped.text();
}

/**
 * How deep `text` nests arrays and objects, scanning no further than one level
 * past `limit`: strings are skipped (brackets inside them do not count),
 * anything else is left to JSON.parse.
 */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      // A wallet is one long string: jump to its closing quote (one not escaped) rather than step through it.
      const end = closingQuote(text, i);
      if (end < 0) return false;
      i = end;
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > limit) return true;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) depth--;
  }
  return false;
}

/** The index of the quote that closes the string opened at `open`, or -1 when none does. */
function closingQuote(text: string, open: number): number {
  let quote = open;
  for (;;) {
    quote = text.indexOf('"', quote + 1);
    if (quote < 0) return -1;
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === 0x5c /* \ */) backslashes++;
    if (backslashes % 2 === 0) return quote;
  }
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}
