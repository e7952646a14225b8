// Request bodies a server must refuse: not JSON, not an object, a field
// missing or of the wrong JSON type. Shared by the checks of every endpoint.

/** A request body: JSON text as sent, and how to say what it is. */
export interface BodyCase {
  text: string;
  what: string;
}

export type JsonType = "null" | "boolean" | "number" | "string" | "array" | "object";

/** Every JSON type, as the whole body or as a field's value. */
export const jsonValues: ReadonlyArray<{ json: string; type: JsonType }> = [
  { json: "null", type: "null" },
  { json: "true", type: "boolean" },
  { json: "1", type: "number" },
  { json: '"s"', type: "string" },
  { json: "[]", type: "array" },
  { json: "{}", type: "object" },
];

/**
 * Bodies that are not a JSON object. Malformed ones are malformed from their
 * first value on: servers that decode only the first JSON value of a body (as
 * the original does) rightly accept a valid object followed by garbage. The
 * unfinished copy of `valid` carries real credentials, so a server that
 * wrongly accepted it would visibly change something.
 */
export function notAnObjectBodies(valid: object): BodyCase[] {
  return [
    ...jsonValues
      .filter((v) => v.type !== "object")
      .map((v) => ({ text: v.json, what: `the JSON ${v.type} ${v.json} as the whole body` })),
    { text: "", what: "an empty body" },
    { text: "not json", what: "the text `not json`" },
    { text: '{"email":', what: 'the unfinished JSON `{"email":`' },
    { text: JSON.stringify(valid).slice(0, -1), what: "a JSON object without its closing brace" },
  ];
}

/** An empty object, and the valid body without each of its fields (or of the given ones) in turn. */
export function missingFieldBodies(valid: object, fields: readonly string[] = Object.keys(valid)): BodyCase[] {
  return [{ text: "{}", what: "an empty object" }, ...fields.map((field) => withoutField(valid, field))];
}

/** The valid body without one field. */
export function withoutField(valid: object, field: string): BodyCase {
  const rest = Object.fromEntries(Object.entries(valid).filter(([name]) => name !== field));
  return { text: JSON.stringify(rest), what: `a body without \`${field}\`` };
}

/** The valid body with one field's value replaced by JSON text written as is. */
export function withField(valid: object, field: string, json: string): string {
  const parts = Object.entries(valid).map(
    ([name, value]) => `${JSON.stringify(name)}:${name === field ? json : JSON.stringify(value)}`,
  );
  if (!(field in valid)) parts.push(`${JSON.stringify(field)}:${json}`);
  return `{${parts.join(",")}}`;
}

/** Each field replaced by a value of every other JSON type. */
export function wrongTypeBodies(valid: object, fieldTypes: Record<string, JsonType>): BodyCase[] {
  const bodies: BodyCase[] = [];
  for (const [field, type] of Object.entries(fieldTypes)) {
    for (const value of jsonValues.filter((v) => v.type !== type)) {
      bodies.push({ text: withField(valid, field, value.json), what: `\`${field}\` as the JSON ${value.type} ${value.json}` });
    }
  }
  return bodies;
}

/** Each string field as the empty string. */
export function emptyStringBodies(valid: object, fields: readonly string[]): BodyCase[] {
  return fields.map((field) => ({ text: withField(valid, field, '""'), what: `\`${field}\` empty` }));
}
