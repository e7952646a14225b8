// Matching printed lines against the document's: tokens, salt seeds and change
// ids (":" and 4 hex digits) are random, so each value of the document is bound
// to what the run printed at its first appearance and must print the same at
// every later one. Everything else must be equal, but for the text of an error
// body, which is the server's own wording. The document shows tokens as the
// original issues them (64 hex digits, like a salt seed); any server's token
// (TOKEN-5: URL-safe characters) stands in for them.

type Part = { kind: "text"; text: string } | { kind: "token" | "change"; literal: string };

// In the document a token is a run of exactly 64 hex digits; a change id is ":" and exactly 4.
const randomValue = /(?<![0-9a-fA-F])([0-9a-fA-F]{64})(?![0-9a-fA-F])|:([0-9a-fA-F]{4})(?![0-9a-fA-F])/g;
const capture: Record<"token" | "change", string> = { token: "([A-Za-z0-9._~-]+)", change: ":([0-9a-fA-F]{4})" };

function split(line: string): Part[] {
  const parts: Part[] = [];
  let last = 0;
  for (const match of line.matchAll(randomValue)) {
    if (match.index > last) parts.push({ kind: "text", text: line.slice(last, match.index) });
    parts.push(match[1] !== undefined ? { kind: "token", literal: match[1] } : { kind: "change", literal: match[2] as string });
    last = match.index + match[0].length;
  }
  if (last < line.length) parts.push({ kind: "text", text: line.slice(last) });
  return parts;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export type LineMatch = { ok: true } | { ok: false; reason: string };

export class RandomValueBindings {
  /** Document value -> the value the run printed for it. */
  private readonly bound = new Map<string, string>();

  /** Matches one printed line; binds the document's new values only when the whole line matches. */
  match(expected: string, actual: string): LineMatch {
    // The spec fixes an error body's shape (HTTP-2), not its text.
    if (isErrorBody(expected)) return isErrorBody(actual) ? { ok: true } : { ok: false, reason: "the line is no JSON error body" };
    const parts = split(expected);
    const pattern = new RegExp(`^${parts.map((p) => (p.kind === "text" ? escapeRegExp(p.text) : capture[p.kind])).join("")}$`);
    const found = pattern.exec(actual);
    if (!found) return { ok: false, reason: "the line differs" };
    const placeholders = parts.filter((p): p is Exclude<Part, { kind: "text" }> => p.kind !== "text");
    const fresh = new Map<string, string>();
    for (const [index, part] of placeholders.entries()) {
      const value = found[index + 1] as string;
      const earlier = this.bound.get(part.literal) ?? fresh.get(part.literal);
      if (earlier !== undefined && earlier !== value) {
        return { ok: false, reason: `${describe(part)} ${part.literal} stood for ${earlier} earlier, here it is ${value}` };
      }
      // Two different tokens of the document are two devices' tokens: they must differ in the run too.
      if (earlier === undefined && part.kind === "token") {
        const owner = [...this.bound, ...fresh].find(([literal, bound]) => bound === value && literal !== part.literal);
        if (owner) return { ok: false, reason: `${value} was printed for ${owner[0]} too, which is another ${describe(part)}` };
      }
      fresh.set(part.literal, value);
    }
    for (const [literal, value] of fresh) this.bound.set(literal, value);
    return { ok: true };
  }

  /** The document's line with every value bound so far replaced by what the run printed for it. */
  resolve(expected: string): string {
    return split(expected)
      .map((p) => (p.kind === "text" ? p.text : `${p.kind === "change" ? ":" : ""}${this.bound.get(p.literal) ?? p.literal}`))
      .join("");
  }
}

function describe(part: { kind: "token" | "change" }): string {
  return part.kind === "token" ? "token or salt seed" : "change id";
}

/** A JSON object with a string `error`: `{"error":"Unauthorized: Token Not Found"}`. */
function isErrorBody(line: string): boolean {
  if (!line.startsWith("{")) return false;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === "object" && value !== null && typeof (value as { error?: unknown }).error === "string";
  } catch {
    return false;
  }
}
