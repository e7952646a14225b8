// Loads the spec files at run time: the OpenAPI document and the requirement
// list of protocol.md. Types come from ./generated/openapi.ts (npm run generate).
import { readFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import type { components } from "./generated/openapi.js";

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

export type JsonObject = { [key: string]: unknown };

let openApiCache: JsonObject | undefined;
/** The parsed OpenAPI document. */
export function loadOpenApi(): JsonObject {
  openApiCache ??= parseYaml(readFileSync(specFiles.openapi, "utf8")) as JsonObject;
  return openApiCache;
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
}

const requirementLine = /^- \*\*([A-Z]+-\d+)\*\* \((MUST|SHOULD)\) (.+)$/;

/** Parses the requirement list out of protocol.md text. */
export function parseRequirements(markdown: string): Requirement[] {
  const requirements: Requirement[] = [];
  let section = "";
  for (const line of markdown.split("\n")) {
    if (line.startsWith("## ")) section = line.slice(3).trim();
    const match = requirementLine.exec(line);
    if (!match) continue;
    const [, id, level, text] = match as unknown as [string, string, Level, string];
    requirements.push({ id, level, text, section, party: id.startsWith("CLIENT-") ? "client" : "server" });
  }
  return requirements;
}

let requirementsCache: Requirement[] | undefined;
/** Every requirement of spec/protocol.md, in document order. */
export function loadRequirements(): Requirement[] {
  requirementsCache ??= parseRequirements(readFileSync(specFiles.protocol, "utf8"));
  return requirementsCache;
}

export function requirementById(id: string): Requirement {
  const found = loadRequirements().find((r) => r.id === id);
  if (!found) throw new Error(`unknown requirement ${id} (not in spec/protocol.md)`);
  return found;
}
