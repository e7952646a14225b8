// Client-given strings in PostgreSQL text columns, losslessly. PostgreSQL text
// cannot hold U+0000 and a lone surrogate has no UTF-8 form, yet the protocol
// keeps any string unchanged (SEQ-8). A JSON string literal escapes both and
// stays readable in psql: "a@example.com".

export function toColumn(value: string): string {
  return JSON.stringify(value);
}

export function fromColumn(stored: string): string {
  const value: unknown = JSON.parse(stored);
  if (typeof value !== "string") throw new TypeError(`a stored string column holds ${stored.slice(0, 40)}`);
  return value;
}
