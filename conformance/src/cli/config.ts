// --config FILE: every option in a YAML or JSON file, checked against the
// JSON Schema shipped with the package (conformance/config-schema.json), then
// turned into the flags it stands for and put before the command line's own,
// so a flag given there overrides the file (headers merge, by name).
import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { Ajv2020, type ErrorObject } from "ajv/dist/2020.js";
import { parse as parseYaml } from "yaml";
import { specDir } from "../../../spec/index.js";
import { UsageError } from "./options.js";

export const configSchemaFile = join(dirname(specDir), "conformance", "config-schema.json");

/** Repeatable flags whose values add up, given in a file as a list: the command line's replace the file's. */
const listKeys = ["url", "server-cmd"] as const;

/** Keys whose values are file names: relative ones are taken from the configuration file's folder. */
const fileKeys = new Set(["ca", "replay", "baseline", "write-baseline", "junit", "json", "html"]);

/** The command line without --config, and the file it names (the last one given). */
export function splitConfigFlag(argv: readonly string[]): { file?: string; rest: string[] } {
  const rest: string[] = [];
  let file: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      rest.push(...argv.slice(i));
      break;
    }
    if (arg === "--config") {
      const value = argv[++i];
      if (value === undefined || value.startsWith("--")) throw new UsageError("--config needs a file name");
      file = value;
    } else if (arg.startsWith("--config=")) file = arg.slice("--config=".length);
    else rest.push(arg);
  }
  if (file !== undefined && file.trim() === "") throw new UsageError("--config needs a file name");
  return { ...(file !== undefined ? { file } : {}), rest };
}

/** The flags a configuration file stands for; a usage error names the key that is wrong. */
export async function configArguments(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read --config ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new UsageError(`--config ${file} is neither YAML nor JSON: ${(error instanceof Error ? error.message : String(error)).split("\n")[0]}`);
  }
  document ??= {};
  const validate = await configValidator();
  if (!validate(document)) throw new UsageError(`--config ${file}: ${describeConfigError(validate.errors ?? [])}`);
  const folder = dirname(resolve(file));
  return Object.entries(document as Record<string, unknown>).flatMap(([key, value]) => {
    const flag = `--${key}`;
    if (typeof value === "boolean") return value ? [flag] : [];
    if ((listKeys as readonly string[]).includes(key) && Array.isArray(value)) return (value as string[]).flatMap((item) => [flag, item]);
    if (key === "header") {
      const lines = Array.isArray(value) ? (value as string[]) : Object.entries(value as Record<string, string>).map(([n, v]) => `${n}: ${v}`);
      return lines.flatMap((line) => [flag, line]);
    }
    if (Array.isArray(value)) return [flag, value.join(",")];
    const text = String(value);
    return [flag, fileKeys.has(key) ? resolve(folder, text) : text];
  });
}

/**
 * The file's flags, then the command line's. A repeatable flag that adds up
 * (--url, --server-cmd) is taken from the command line alone when it is
 * given there, so that the command line overrides the file as every other
 * flag does.
 */
export function mergeArguments(fromFile: readonly string[], commandLine: readonly string[]): string[] {
  const given = listKeys.map((key) => `--${key}`).filter((flag) => commandLine.some((arg) => arg === flag || arg.startsWith(`${flag}=`)));
  if (given.length === 0) return [...fromFile, ...commandLine];
  const kept: string[] = [];
  for (let i = 0; i < fromFile.length; i++) {
    if (given.includes(fromFile[i]!)) i++;
    else kept.push(fromFile[i]!);
  }
  return [...kept, ...commandLine];
}

let validatorCache: ReturnType<Ajv2020["compile"]> | undefined;
async function configValidator(): Promise<ReturnType<Ajv2020["compile"]>> {
  if (!validatorCache) {
    const schema = JSON.parse(await readFile(configSchemaFile, "utf8")) as object;
    validatorCache = new Ajv2020({ allErrors: true, strict: true }).compile(schema);
  }
  return validatorCache;
}

/** One line naming the key: an unknown key, or a known one with the wrong type or value. */
function describeConfigError(errors: readonly ErrorObject[]): string {
  const unknown = errors.find((e) => e.keyword === "additionalProperties" && e.instancePath === "");
  if (unknown) return `unknown key '${String(unknown.params["additionalProperty"])}' (the keys are the long option names, see --help)`;
  // oneOf reports each branch; the deepest error says the most.
  const error = [...errors].sort((a, b) => b.instancePath.length - a.instancePath.length)[0];
  if (!error) return "not a configuration";
  if (error.instancePath === "") return `must be a mapping of option names to values, ${error.message ?? ""}`;
  const key = error.instancePath.slice(1).split("/")[0] ?? "";
  return `key '${key}' ${error.message ?? "is not valid"}${error.instancePath.includes("/", 1) ? ` (at ${error.instancePath})` : ""}`;
}
