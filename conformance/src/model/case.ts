// A case checks one requirement of spec/protocol.md: its ID is the
// requirement's, its level the requirement's level.
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { requirementById, type Level, type ProfileName } from "../../../spec/index.js";
import type { CheckContext } from "./context.js";

export interface CheckCase {
  /** Stable and unique: the requirement ID, a slash and a slug, e.g. "SEQ-3/skip-ahead". */
  readonly id: string;
  /** The requirement this case checks (an ID of spec/protocol.md). */
  readonly requirement: string;
  /** The requirement's level. */
  readonly level: Level;
  /** The profiles the case runs in: its requirement's, or fewer when the case checks a part of the rule that only some profiles have. */
  readonly profiles: readonly ProfileName[];
  readonly title: string;
  /** Where the case is defined: a path in the repository ("conformance/src/checks/sequence.ts"), or an absolute one outside it. */
  readonly file: string;
  /** Requirements its findings may name besides its own, through the steps it takes; traceability lists the case under them. */
  readonly alsoChecks: readonly string[];
  /** Run alone, after the other cases (load-sensitive properties, long workloads). */
  readonly exclusive: boolean;
  /**
   * The operations (e.g. "POST /auth/full") whose response-schema findings of
   * this case's requirement it owns; absent: all of them. A schema finding is
   * reported once, by the first case of the run that owns it.
   */
  readonly schemaOperations?: readonly string[];
  run(ctx: CheckContext): Promise<void>;
}

export interface CheckDefinition {
  requirement: string;
  /** Lower-case words joined by dashes; unique within the requirement. */
  slug: string;
  title: string;
  /** The profiles it runs in, when fewer than its requirement binds (a part of the rule only they have). */
  profiles?: readonly ProfileName[];
  /** `import.meta.url` of the module that defines the case. */
  file: string;
  /** Requirements the steps it takes report on their own account (each step declares its list). */
  alsoChecks?: readonly string[];
  exclusive?: boolean;
  schemaOperations?: readonly string[];
  run(ctx: CheckContext): Promise<void>;
}

const slugPattern = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** The repository's root: this module is conformance/src/model/case.ts there, or its .js under dist/. */
const here = fileURLToPath(import.meta.url);
const sourceRoot = resolve(dirname(here), "..", "..", "..");

/** A module URL as a repository path; compiled modules name their TypeScript source. */
export function repositoryPath(moduleUrl: string): string {
  const path = moduleUrl.startsWith("file:") ? fileURLToPath(moduleUrl) : moduleUrl;
  const inRepository = relative(sourceRoot, path);
  if (inRepository.startsWith("..") || isAbsolute(inRepository)) return path;
  const posix = inRepository.split(sep).join("/");
  return here.endsWith(".js") ? posix.replace(/\.js$/, ".ts") : posix;
}

/** Makes a case, refusing requirement IDs that spec/protocol.md does not have. */
export function defineCheck(definition: CheckDefinition): CheckCase {
  const requirement = requirementById(definition.requirement);
  if (!slugPattern.test(definition.slug)) throw new Error(`bad case slug "${definition.slug}"`);
  const unbound = (definition.profiles ?? []).filter((profile) => !requirement.profiles.includes(profile));
  if (unbound.length > 0) throw new Error(`case ${requirement.id}/${definition.slug}: ${requirement.id} does not bind the ${unbound.join(", ")} profile`);
  return {
    id: `${requirement.id}/${definition.slug}`,
    requirement: requirement.id,
    level: requirement.level,
    profiles: definition.profiles ?? requirement.profiles,
    title: definition.title,
    file: repositoryPath(definition.file),
    alsoChecks: [...new Set(definition.alsoChecks ?? [])].filter((id) => requirementById(id).id !== requirement.id),
    exclusive: definition.exclusive ?? false,
    ...(definition.schemaOperations ? { schemaOperations: definition.schemaOperations } : {}),
    run: definition.run,
  };
}
