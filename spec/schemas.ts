// JSON Schema validators compiled from spec/openapi.yaml (OpenAPI 3.1 schemas
// are JSON Schema 2020-12), so the spec itself is the oracle for bodies. The
// schemas are what interoperability needs (MUST); an `x-should` extension in
// a schema adds the original's stricter choice under a SHOULD requirement,
// checked by a variant of the components in which that extension applies.
import { Ajv2020, type ValidateFunction, type ErrorObject } from "ajv/dist/2020.js";
import * as ajvFormats from "ajv-formats";
import { defaultProfile, loadOpenApi, profileNames, type JsonObject, type ProfileName } from "./index.js";

/** The id each profile's components are registered under (the seed one keeps the name it always had). */
const documentIdOf = (profile: ProfileName): string =>
  profile === defaultProfile ? "https://wallet-sync.invalid/spec/openapi.yaml" : `https://wallet-sync.invalid/spec/${profile}/openapi.yaml`;

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
  for (const profile of profileNames) {
    const components = loadOpenApi(profile)["components"] as JsonObject;
    // Only components are JSON Schema; the rest of the document is OpenAPI.
    instance.addSchema({ $id: documentIdOf(profile), components });
    for (const requirement of shouldRequirements(profile)) {
      instance.addSchema({ $id: shouldDocumentId(profile, requirement), components: applyShould(components, requirement) });
    }
  }
  ajvCache = instance;
  return instance;
}

/** An `x-should` extension: JSON Schema that applies on top of its schema, at the level of a SHOULD requirement. */
interface ShouldExtension {
  requirement: string;
  schema: JsonObject;
}

const shouldDocumentId = (profile: ProfileName, requirement: string) => `${documentIdOf(profile)}/should/${requirement}`;

function isShould(value: unknown): value is ShouldExtension {
  const candidate = value as Partial<ShouldExtension> | undefined;
  return typeof candidate?.requirement === "string" && typeof candidate.schema === "object" && candidate.schema !== null;
}

const shouldCache = new Map<ProfileName, string[]>();
/** The requirement IDs a profile document's `x-should` extensions name, in document order. */
export function shouldRequirements(profile: ProfileName = defaultProfile): string[] {
  const cached = shouldCache.get(profile);
  if (cached) return cached;
  const found = new Set<string>();
  const visit = (node: unknown): void => {
    if (typeof node !== "object" || node === null) return;
    for (const [key, value] of Object.entries(node)) {
      if (key === "x-should") {
        if (!isShould(value)) throw new Error(`the ${profile} OpenAPI document: an x-should needs a \`requirement\` and a \`schema\``);
        found.add(value.requirement);
      }
      visit(value);
    }
  };
  visit(loadOpenApi(profile)["components"]);
  const requirements = [...found];
  shouldCache.set(profile, requirements);
  return requirements;
}

/** A copy of `node` in which each `x-should` of `requirement` applies (allOf) and every other one is dropped. */
function applyShould(node: unknown, requirement: string): JsonObject {
  const copy = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(copy);
    if (typeof value !== "object" || value === null) return value;
    const { ["x-should"]: should, ...rest } = value as JsonObject;
    const base = Object.fromEntries(Object.entries(rest).map(([key, inner]) => [key, copy(inner)]));
    return isShould(should) && should.requirement === requirement ? { allOf: [base, copy(should.schema)] } : base;
  };
  return copy(node) as JsonObject;
}

const validators = new Map<string, ValidateFunction>();
function validatorFor(pointer: string, document: string): ValidateFunction {
  const key = `${document}#${pointer}`;
  let validate = validators.get(key);
  if (!validate) {
    validate = ajv().getSchema(key);
    if (!validate) throw new Error(`no schema at ${pointer} in ${document}`);
    validators.set(key, validate);
  }
  return validate;
}

function describe(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => `${e.instancePath || "(body)"} ${e.message ?? "is invalid"}`.trim());
}

function run(pointer: string, value: unknown, document: string): Validation {
  const validate = validatorFor(pointer, document);
  const valid = validate(value) as boolean;
  return { valid, errors: valid ? [] : describe(validate.errors) };
}

/** A SHOULD-level mismatch: the `x-should` parts of one requirement that a body misses. */
export interface ShouldMismatch {
  requirement: string;
  errors: string[];
}

/** A value against the schema at a pointer: the schema's errors (MUST), and the `x-should` parts it misses besides. */
export interface PointerValidation {
  validation: Validation;
  should: ShouldMismatch[];
}

/**
 * The schema's errors for a value at a schema pointer, and the `x-should`
 * requirements it misses, each with the errors that the schema alone does
 * not have (those are HTTP-2's). A requirement's variant holds the schema
 * and more, so a value it accepts needs no check against the schema alone:
 * most values are checked once per requirement.
 */
export function validateWithShould(pointer: string, value: unknown, profile: ProfileName = defaultProfile): PointerValidation {
  const variants = shouldRequirements(profile).map((requirement) => ({ requirement, ...run(pointer, value, shouldDocumentId(profile, requirement)) }));
  const validation = variants.some((variant) => variant.valid) ? { valid: true, errors: [] } : run(pointer, value, documentIdOf(profile));
  const mustErrors = new Set(validation.errors);
  const should = variants.flatMap(({ requirement, errors }) => {
    const own = errors.filter((e) => !mustErrors.has(e));
    return own.length > 0 ? [{ requirement, errors: own }] : [];
  });
  return { validation, should };
}

/** Validates a value against components.schemas[name] of a profile's document. */
export function validateSchema(name: string, value: unknown, profile: ProfileName = defaultProfile): Validation {
  return run(`/components/schemas/${name}`, value, documentIdOf(profile));
}

export type Method = "get" | "post" | "put" | "delete" | "patch";

/**
 * The JSON pointer of the response schema the spec gives for a path, method
 * and status, or undefined when the spec lists no such response.
 */
export function responseSchemaPointer(
  path: string,
  method: Method,
  status: number,
  profile: ProfileName = defaultProfile,
): string | undefined {
  return memoized(pointerCache, `${profile} ${method} ${path} ${status}`, () => findResponseSchemaPointer(path, method, status, profile));
}

/** Looked up once per profile, path, method (and status): every response of a run asks. */
const pointerCache = new Map<string, string | undefined>();
const statusesCache = new Map<string, readonly number[]>();

function memoized<T>(cache: Map<string, T>, key: string, compute: () => T): T {
  if (!cache.has(key)) cache.set(key, compute());
  return cache.get(key) as T;
}

/** The `responses` object the spec gives for a path and method. */
function operationResponses(doc: JsonObject, path: string, method: Method): JsonObject | undefined {
  const operation = (doc["paths"] as JsonObject | undefined)?.[path] as JsonObject | undefined;
  return (operation?.[method] as JsonObject | undefined)?.["responses"] as JsonObject | undefined;
}

function findResponseSchemaPointer(path: string, method: Method, status: number, profile: ProfileName): string | undefined {
  const doc = loadOpenApi(profile);
  let response = operationResponses(doc, path, method)?.[String(status)] as JsonObject | undefined;
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
export function documentedStatuses(path: string, method: Method, profile: ProfileName = defaultProfile): readonly number[] {
  return memoized(statusesCache, `${profile} ${method} ${path}`, () => Object.keys(operationResponses(loadOpenApi(profile), path, method) ?? {}).map(Number));
}

/** The error of a response the spec gives no schema for. */
export function unlistedResponse(path: string, method: Method, status: number): string {
  return `the spec lists no ${status} response for ${method.toUpperCase()} ${path}`;
}

/** Validates a response body against the schema the spec gives for it. */
export function validateResponse(
  path: string,
  method: Method,
  status: number,
  body: unknown,
  profile: ProfileName = defaultProfile,
): Validation {
  const pointer = responseSchemaPointer(path, method, status, profile);
  if (!pointer) return { valid: false, errors: [unlistedResponse(path, method, status)] };
  return run(pointer, body, documentIdOf(profile));
}

function resolvePointer(doc: JsonObject, pointer: string): unknown {
  let node: unknown = doc;
  for (const part of pointer.split("/").slice(1)) {
    node = (node as JsonObject | undefined)?.[part.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  return node;
}
