// Where a wallet a server returned first differs from the one a client sent,
// in words: a server that cuts long wallets or re-encodes non-ASCII text is
// found at the character where it did so.

const codePoint = (text: string, index: number): string => {
  const point = text.codePointAt(index);
  return point === undefined ? "nothing" : `U+${point.toString(16).toUpperCase().padStart(4, "0")}`;
};

/** "at character 17: sent U+00E9, returned U+003F"; "returned 65,536 of its 99,000 characters"; undefined when equal. */
export function firstDifference(sent: string, returned: string): string | undefined {
  if (sent === returned) return undefined;
  let index = 0;
  const common = Math.min(sent.length, returned.length);
  while (index < common && sent.charCodeAt(index) === returned.charCodeAt(index)) index++;
  const count = (n: number) => n.toLocaleString("en-US");
  if (index === returned.length) return `returned only the first ${count(returned.length)} of its ${count(sent.length)} characters`;
  if (index === sent.length) return `returned ${count(returned.length - sent.length)} characters more than its ${count(sent.length)}`;
  return `first differs at character ${count(index)}: sent ${codePoint(sent, index)}, returned ${codePoint(returned, index)}`;
}
