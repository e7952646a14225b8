// Every example of each profile's OpenAPI document is a body its schema
// accepts, so the examples a reader copies are right.
import { describe, expect, test } from "vitest";
import { loadOpenApi, profileNames, type JsonObject } from "../index.js";
import { validateSchema } from "../schemas.js";

interface Example {
  where: string;
  schema: string;
  value: unknown;
}

function examplesOf(document: JsonObject): Example[] {
  const found: Example[] = [];
  const visit = (node: unknown, where: string): void => {
    if (typeof node !== "object" || node === null) return;
    const media = node as JsonObject;
    const ref = (media["schema"] as JsonObject | undefined)?.["$ref"];
    if (typeof ref === "string" && ref.startsWith("#/components/schemas/") && typeof media["examples"] === "object") {
      for (const [name, example] of Object.entries(media["examples"] as JsonObject)) {
        found.push({ where: `${where} ${name}`, schema: ref.split("/").pop() ?? "", value: (example as JsonObject)["value"] });
      }
    }
    for (const [key, value] of Object.entries(node)) visit(value, `${where}/${key}`);
  };
  visit(document["paths"], "");
  visit((document["components"] as JsonObject)["responses"], "#/components/responses");
  return found;
}

describe.each(profileNames)("the examples of the %s profile's OpenAPI document", (profile) => {
  const examples = examplesOf(loadOpenApi(profile));

  test("there are examples of requests and responses", () => {
    expect(examples.length).toBeGreaterThan(10);
  });

  test.each(examples)("$where matches $schema", ({ schema, value }) => {
    expect(validateSchema(schema, value, profile).errors).toEqual([]);
  });
});
