// Where a string a server returned first differs from the one a client sent,
// in words: a server that cuts long wallets or re-encodes non-ASCII text is
// found at the character where it did so. The history checker and the
// contract checks (SEQ-8) say it the same way.

/** "U+00E9": a code point as Unicode writes it. */
function codePoint(character: string): string {
  return `U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * Where a returned string first differs from the one sent, counted in
 * characters (code points) from 1: "character 17: sent U+00E9, returned
 * U+003F"; undefined when they are equal.
 */
export function firstDifference(sent: string, returned: string): string | undefined {
  if (sent === returned) return undefined;
  const sentCharacters = Array.from(sent);
  const returnedCharacters = Array.from(returned);
  let index = 0;
  while (index < sentCharacters.length && sentCharacters[index] === returnedCharacters[index]) index++;
  const at = `character ${(index + 1).toLocaleString("en-US")}`;
  const sentCharacter = sentCharacters[index];
  const returnedCharacter = returnedCharacters[index];
  if (sentCharacter === undefined) {
    return `${at}: sent nothing (the string sent ends there), returned ${codePoint(returnedCharacter as string)}`;
  }
  if (returnedCharacter === undefined) {
    return `${at}: sent ${codePoint(sentCharacter)}, returned nothing (the string returned ends there, ${sentCharacters.length.toLocaleString("en-US")} characters were sent)`;
  }
  return `${at}: sent ${codePoint(sentCharacter)}, returned ${codePoint(returnedCharacter)}`;
}
