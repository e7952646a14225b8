// The JSON report's schema (conformance/report-schema.json), compiled with ajv.
import { readFileSync } from "node:fs";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import * as ajvFormats from "ajv-formats";

const schemaFile = new URL("../../report-schema.json", import.meta.url);

export function reportValidator(): ValidateFunction {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  (ajvFormats.default as unknown as (a: Ajv2020) => void)(ajv);
  return ajv.compile(JSON.parse(readFileSync(schemaFile, "utf8")) as object);
}

/** The validator's errors, one line each, for assertion messages. */
export function schemaErrors(validate: ValidateFunction): string[] {
  return (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ""}`);
}
