// JSON Schema validators compiled from spec/openapi.yaml (OpenAPI 3.1 schemas
// are JSON Schema 2020-12), so the spec itself is the oracle for bodies.
import { Ajv2020, type ValidateFunction, type ErrorObject } from "ajv/dist/2020.js";
import * as ajvFormats from "ajv-formats";
import { loadOpenApi, type JsonObject } from "./index.js";

const documentId = "https://wallet-sync.invalid/spec/openapi.yaml";

export interface Validation {
  valid: boolean;
  /** One line per schema error, e.g. "/sequence must be <= 4294967295". */
  errors: string[];
}

let ajvCache: Ajv2020 | undefined;
function ajv(): Ajv2020 {
  if (ajvCache) return ajvCache;
  const instance = new Ajv2020({ allErrors: true, strict: false });
  // ajv-formats is CommonJS: its plugin is the module itself, typed as .default.
  const addFormats = ajvFormats.default as unknown as (a: Ajv2020) => void;
  addFormats(instance);
  const doc = loadOpenApi();
  // Only components are JSON Schema; the rest of the document is OpenAPI.
  instance.addSchema({ $id: documentId, components: doc["components"] as JsonObject });
  ajvCache = instance;
  return instance;
}

const validators = new Map<string, ValidateFunction>();
function validatorFor(pointer: string): ValidateFunction {
  let validate = validators.get(pointer);
  if (!validate) {
    validate = ajv().getSchema(`${documentId}#${pointer}`);
    if (!validate) throw new Error(`no schema at ${pointer} in spec/openapi.yaml`);
    validators.set(pointer, validate);
  }
  return validate;
}

function describe(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => `${e.instancePath || "(body)"} ${e.message ?? "is invalid"}`.trim());
}

function run(pointer: string, value: unknown): Validation {
  const validate = validatorFor(pointer);
  const valid = validate(value) as boolean;
  return { valid, errors: valid ? [] : describe(validate.errors) };
}

/** Validates a value against components.schemas[name]. */
export function validateSchema(name: string, value: unknown): Validation {
  return run(`/components/schemas/${name}`, value);
}

export type Method = "get" | "post" | "put" | "delete" | "patch";

/**
 * The JSON pointer of the response schema the spec gives for a path, method
 * and status, or undefined when the spec lists no such response.
 */
export function responseSchemaPointer(path: string, method: Method, status: number): string | undefined {
  const doc = loadOpenApi();
  const operation = (doc["paths"] as JsonObject | undefined)?.[path] as JsonObject | undefined;
  const responses = (operation?.[method] as JsonObject | undefined)?.["responses"] as JsonObject | undefined;
  let response = responses?.[String(status)] as JsonObject | undefined;
  if (!response) return undefined;
  const ref = response["$ref"];
  if (typeof ref === "string") response = resolvePointer(doc, ref.slice(1)) as JsonObject | undefined;
  const schema = ((response?.["content"] as JsonObject | undefined)?.["application/json"] as JsonObject | undefined)?.[
    "schema"
  ] as JsonObject | undefined;
  const schemaRef = schema?.["$ref"];
  return typeof schemaRef === "string" ? schemaRef.slice(1) : undefined;
}

/** The statuses the spec lists for a path and method. */
export function documentedStatuses(path: string, method: Method): number[] {
  const doc = loadOpenApi();
  const operation = (doc["paths"] as JsonObject | undefined)?.[path] as JsonObject | undefined;
  const responses = (operation?.[method] as JsonObject | undefined)?.["responses"] as JsonObject | undefined;
  return Object.keys(responses ?? {}).map(Number);
}

/** Validates a response body against the schema the spec gives for it. */
export function validateResponse(path: string, method: Method, status: number, body: unknown): Validation {
  const pointer = responseSchemaPointer(path, method, status);
  if (!pointer) return { valid: false, errors: [`the spec lists no ${status} response for ${method.toUpperCase()} ${path}`] };
  return run(pointer, body);
}

function resolvePointer(doc: JsonObject, pointer: string): unknown {
  let node: unknown = doc;
  for (const part of pointer.split("/").slice(1)) {
    node = (node as JsonObject | undefined)?.[part.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  return node;
}
