// Loads the spec files at run time: the OpenAPI document and the requirement
// list of protocol.md. Types come from ./generated/openapi.ts (npm run generate).
import { readFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import type { components } from "./generated/openapi.js";
import { defaultProfile, profileNames, specProfile, type ProfileName } from "./profiles.js";

export { defaultProfile, isProfileName, profileNames, specProfile, type ProfileName, type SpecProfile } from "./profiles.js";

export type Schemas = components["schemas"];
export type Wallet = Schemas["Wallet"];
/**
 * The wallet triple: what a POST sends, a server stores and a GET or a 409
 * returns, without the body's `version` and `error`. Reference, checks and
 * histories all speak of wallets through this one type.
 */
export type WalletVersion = Pick<Wallet, "encryptedWallet" | "sequence" | "hmac">;
export type WalletRequest = Schemas["WalletRequest"];
export type SignupRequest = Schemas["SignupRequest"];
export type AuthRequest = Schemas["AuthRequest"];
export type AuthResponse = Schemas["AuthResponse"];
export type ErrorBody = Schemas["Error"];
export type Conflict = Schemas["Conflict"];

/** The spec folder, found from this module both as .ts (tests) and as compiled .js under dist/. */
export const specDir: string = findSpecDir(dirname(fileURLToPath(import.meta.url)));

function findSpecDir(start: string): string {
  let dir = start;
  for (let depth = 0; depth < 6; depth++) {
    const candidate = join(dir, "spec", "openapi.yaml");
    if (existsSync(candidate)) return dirname(candidate);
    if (existsSync(join(dir, "openapi.yaml"))) return dir;
    dir = dirname(dir);
  }
  throw new Error(`spec/openapi.yaml not found above ${start}`);
}

export const specFiles = {
  openapi: join(specDir, "openapi.yaml"),
  protocol: join(specDir, "protocol.md"),
  walkthrough: join(specDir, "walkthrough.md"),
} as const;

/** The files of one profile's documents, as absolute paths. */
export function profileFiles(profile: ProfileName): { openapi: string; asyncapi?: string; walkthrough: string } {
  const { openapiFile, asyncapiFile, walkthroughFile } = specProfile(profile);
  return {
    openapi: join(specDir, openapiFile),
    ...(asyncapiFile ? { asyncapi: join(specDir, asyncapiFile) } : {}),
    walkthrough: join(specDir, walkthroughFile),
  };
}

export type JsonObject = { [key: string]: unknown };

const openApiCache = new Map<ProfileName, JsonObject>();
/** The parsed OpenAPI document of a profile (the seed profile's by default). */
export function loadOpenApi(profile: ProfileName = defaultProfile): JsonObject {
  let document = openApiCache.get(profile);
  if (!document) {
    document = parseYaml(readFileSync(profileFiles(profile).openapi, "utf8")) as JsonObject;
    openApiCache.set(profile, document);
  }
  return document;
}

export type Level = "MUST" | "SHOULD";
export interface Requirement {
  id: string;
  level: Level;
  text: string;
  /** Who the requirement binds: clients (CLIENT-*) or servers (everything else). */
  party: "server" | "client";
  /** The heading of the protocol.md section it stands in. */
  section: string;
  /** The profiles it binds: every profile unless its level names one, as in "(MUST; api3)". */
  profiles: readonly ProfileName[];
}

const requirementLine = /^- \*\*([A-Z]+-\d+)\*\* \((MUST|SHOULD)(?:; ([a-z0-9, ]+))?\) (.+)$/;

function boundProfiles(list: string | undefined, id: string): ProfileName[] {
  if (list === undefined) return [...profileNames];
  const names = list.split(",").map((name) => name.trim());
  for (const name of names) {
    if (!(profileNames as readonly string[]).includes(name)) throw new Error(`spec/protocol.md: ${id} names an unknown profile "${name}"`);
  }
  return names as ProfileName[];
}

/** Parses the requirement list out of protocol.md text. */
export function parseRequirements(markdown: string): Requirement[] {
  const requirements: Requirement[] = [];
  let section = "";
  for (const line of markdown.split("\n")) {
    if (line.startsWith("## ")) section = line.slice(3).trim();
    const match = requirementLine.exec(line);
    if (!match) continue;
    const [, id, level, profileList, text] = match as unknown as [string, string, Level, string | undefined, string];
    const party = id.startsWith("CLIENT-") ? "client" : "server";
    requirements.push({ id, level, text, section, party, profiles: boundProfiles(profileList, id) });
  }
  return requirements;
}

let requirementsCache: Requirement[] | undefined;
/** Every requirement of spec/protocol.md, in document order. */
export function loadRequirements(): Requirement[] {
  requirementsCache ??= parseRequirements(readFileSync(specFiles.protocol, "utf8"));
  return requirementsCache;
}

/** The requirements that bind a profile, in document order. */
export function requirementsOf(profile: ProfileName): Requirement[] {
  return loadRequirements().filter((requirement) => requirement.profiles.includes(profile));
}

export function requirementById(id: string): Requirement {
  const found = loadRequirements().find((r) => r.id === id);
  if (!found) throw new Error(`unknown requirement ${id} (not in spec/protocol.md)`);
  return found;
}
