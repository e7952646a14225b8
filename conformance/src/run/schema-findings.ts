// HTTP-2 for every response a check gets: the spec's schema for the path,
// method and status is the oracle; any other 4xx must still be an error body.
// The `x-should` parts of a schema give SHOULD findings under their own IDs.
import { documentedStatuses, responseSchemaPointer, unlistedResponse, validateWithShould, type Method } from "../../../spec/schemas.js";
import { defaultProfile, loadOpenApi, specProfile, type JsonObject, type ProfileName } from "../../../spec/index.js";
import { isRateLimited } from "../client/rate-limit.js";
import type { Exchange } from "../client/protocol-client.js";
import type { FindingInput } from "../model/result.js";
import { exchangeFinding } from "../model/describe.js";

/** What every response of every case is checked against, whatever the case. */
export const schemaRequirement = "HTTP-2";

const specPathsCache = new Map<ProfileName, Set<string>>();
function specPaths(profile: ProfileName): Set<string> {
  let paths = specPathsCache.get(profile);
  if (!paths) {
    paths = new Set(Object.keys((loadOpenApi(profile)["paths"] as JsonObject | undefined) ?? {}));
    specPathsCache.set(profile, paths);
  }
  return paths;
}

/** A schema mismatch of one response; `key` groups repeats of the same mismatch. */
export interface SchemaFinding {
  key: string;
  /** The operation whose response it is, as cases name it (the protocol's path, without the profile's prefix): "POST /auth/full". */
  operation: string;
  finding: FindingInput;
}

/** The schema findings an exchange shows: HTTP-2 for the schema, a SHOULD ID for each `x-should` part it misses. */
export function schemaFindings(exchange: Exchange, profile: ProfileName = defaultProfile): SchemaFinding[] {
  const response = exchange.response;
  // A rate limit is not an answer of the protocol: the client waits and asks again.
  // A 1xx (the 101 of a WebSocket upgrade) has no body to check.
  if (!response || response.status < 200 || response.status >= 500 || isRateLimited(response)) return [];
  const path = exchange.request.path.split("?")[0] ?? "";
  if (!specPaths(profile).has(path)) return [];
  const method = exchange.request.method.toLowerCase() as Method;
  const documented = documentedStatuses(path, method, profile).includes(response.status);
  if (!documented && (response.status < 400 || response.status >= 500)) return [];
  const operation = `${exchange.request.method} ${path.slice(specProfile(profile).pathPrefix.length)}`;
  const where = `${exchange.request.method} ${path} ${response.status}`;
  const mismatches: Array<{ requirement: string; errors: string[] }> = [];
  if (response.json === undefined) mismatches.push({ requirement: "HTTP-2", errors: ["the body is not JSON"] });
  else {
    const pointer = documented ? responseSchemaPointer(path, method, response.status, profile) : "/components/schemas/Error";
    if (pointer === undefined) mismatches.push({ requirement: "HTTP-2", errors: [unlistedResponse(path, method, response.status)] });
    else {
      const { validation, should } = validateWithShould(pointer, response.json, profile);
      if (!validation.valid) mismatches.push({ requirement: "HTTP-2", errors: validation.errors });
      mismatches.push(...should);
    }
  }
  const schema = documented
    ? `the schema ${profile === defaultProfile ? "openapi.yaml" : `${profile}/openapi.yaml`} gives for ${where}`
    : "an error body (an object with a non-empty string `error`)";
  return mismatches.map(({ requirement, errors }) => ({
    key: `${requirement} ${where}: ${errors.join("; ")}`,
    operation,
    finding: exchangeFinding(exchange, {
      requirement,
      message:
        requirement === "HTTP-2"
          ? `the ${where} body does not match the spec: ${errors.join("; ")}`
          : `the ${where} body differs from the original's (${requirement}): ${errors.join("; ")}`,
      expected:
        requirement === "HTTP-2" ? `a JSON body matching ${schema}` : `a JSON body matching the x-should part of ${requirement} in ${schema}`,
    }),
  }));
}

