// HTTP-2 for every response a check gets: the spec's schema for the path,
// method and status is the oracle; any other 4xx must still be an error body.
import { documentedStatuses, validateResponse, validateSchema, type Method } from "../../../spec/schemas.js";
import { loadOpenApi, type JsonObject } from "../../../spec/index.js";
import type { Exchange } from "../client/protocol-client.js";
import type { FindingInput } from "../model/result.js";
import { exchangeFinding } from "../report/describe.js";

/** What every response of every case is checked against, whatever the case. */
export const schemaRequirement = "HTTP-2";

let specPathsCache: Set<string> | undefined;
function specPaths(): Set<string> {
  specPathsCache ??= new Set(Object.keys((loadOpenApi()["paths"] as JsonObject | undefined) ?? {}));
  return specPathsCache;
}

/** The HTTP-2 finding an exchange shows, if any; `key` groups repeats of the same mismatch. */
export function schemaFinding(exchange: Exchange): { key: string; finding: FindingInput } | undefined {
  const response = exchange.response;
  if (!response || response.status >= 500) return undefined;
  const path = exchange.request.path.split("?")[0] ?? "";
  if (!specPaths().has(path)) return undefined;
  const method = exchange.request.method.toLowerCase() as Method;
  const documented = documentedStatuses(path, method).includes(response.status);
  if (!documented && (response.status < 400 || response.status >= 500)) return undefined;
  const where = `${exchange.request.method} ${path} ${response.status}`;
  let errors: string[];
  if (response.json === undefined) errors = ["the body is not JSON"];
  else {
    const validation = documented
      ? validateResponse(path, method, response.status, response.json)
      : validateSchema("Error", response.json);
    errors = validation.errors;
  }
  if (errors.length === 0) return undefined;
  const schema = documented
    ? `the schema openapi.yaml gives for ${where}`
    : "an error body (an object with a non-empty string `error`)";
  return {
    key: `${where}: ${errors.join("; ")}`,
    finding: exchangeFinding(exchange, {
      requirement: schemaRequirement,
      message: `the ${where} body does not match the spec: ${errors.join("; ")}`,
      expected: `a JSON body matching ${schema}`,
    }),
  };
}
