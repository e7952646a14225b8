// Runs the walkthrough's Python statements with the TypeScript client:
// `c1 = Client()` makes a WalletClient, `c1.post_wallet()` calls
// postWallet(), `c1.client_salt_seed` reads clientSaltSeed, and an expression
// whose Python value is not None prints its repr, as the Python REPL does.
// Every printed line is compared with the document's.
import type { ProtocolClient } from "../client/protocol-client.js";
import { pythonRepr, WalletClient } from "../client/wallet-client.js";
import type { WalkthroughStep } from "./document.js";
import { RandomValueBindings } from "./pattern.js";

/** Methods whose Python counterpart returns a value the REPL prints; the others return None. */
const valueMethods = new Set(["cur_encrypted_wallet", "next_notification"]);

export interface WalkthroughOptions {
  protocol: ProtocolClient;
  /** The address to use for an email address of the document (the runner makes it fresh per run). */
  email(documentAddress: string): string;
  /** Called before each statement runs (to group exchanges by statement). */
  onStatement?(step: WalkthroughStep): void;
}

export interface WalkthroughMismatch {
  step: WalkthroughStep;
  /** The document line that differs: an expected output line, or the statement. */
  line: number;
  /** The document's line with the values bound so far resolved; undefined when the run printed an extra line. */
  expected: string | undefined;
  /** What the run printed there; undefined when it printed too few lines. */
  actual: string | undefined;
  reason: string;
}

export interface WalkthroughOutcome {
  /** Statements run, including the one that differed. */
  statementsRun: number;
  /** Everything printed, with the statements, as a console transcript. */
  transcript: string[];
  /** The first difference; the run stops there, since every later state depends on it. */
  mismatch?: WalkthroughMismatch;
}

type Literal = string | number | boolean | null;

export async function runWalkthrough(
  steps: readonly WalkthroughStep[],
  options: WalkthroughOptions,
): Promise<WalkthroughOutcome> {
  const clients = new Map<string, WalletClient>();
  const bindings = new RandomValueBindings();
  const transcript: string[] = [];
  let printed: string[] = [];
  const emails = new Map<string, string>();
  const substitute = (value: Literal): Literal => {
    if (typeof value !== "string" || !/^[^@\s]+@[^@\s]+$/.test(value)) return value;
    if (!emails.has(value)) emails.set(value, options.email(value));
    return emails.get(value) as string;
  };

  let statementsRun = 0;
  try {
    for (const step of steps) {
      statementsRun++;
      options.onStatement?.(step);
      printed = [];
      transcript.push(`>>> ${step.statement}`);
      try {
        await execute(step.statement, clients, options.protocol, (line) => printed.push(line), substitute);
      } catch (error) {
        const reason = `the statement failed: ${error instanceof Error ? error.message : String(error)}`;
        return { statementsRun, transcript, mismatch: { step, line: step.line, expected: undefined, actual: undefined, reason } };
      }
      transcript.push(...printed);
      const mismatch = compareOutput(step, printed, bindings);
      if (mismatch) return { statementsRun, transcript, mismatch };
    }
    return { statementsRun, transcript };
  } finally {
    await Promise.all([...clients.values()].map((client) => client.stopNotifications()));
  }
}

/** The first line where the printed output differs from the document's, if any. */
function compareOutput(step: WalkthroughStep, printed: string[], bindings: RandomValueBindings): WalkthroughMismatch | undefined {
  for (let index = 0; index < Math.max(printed.length, step.expected.length); index++) {
    const expected = step.expected[index];
    const actual = printed[index];
    if (expected === undefined) return { step, line: step.line, expected: undefined, actual, reason: "an extra line was printed" };
    const resolved = bindings.resolve(expected.text);
    if (actual === undefined) return { step, line: expected.line, expected: resolved, actual, reason: "a line is missing" };
    const match = bindings.match(expected.text, actual);
    if (!match.ok) return { step, line: expected.line, expected: resolved, actual, reason: match.reason };
  }
  return undefined;
}

const importStatement = /^from\s+\w+\s+import\s+Client$/;
const construction = /^(\w+)\s*=\s*Client\(\)$/;
const methodCall = /^(\w+)\.(\w+)\((.*)\)$/;
const attributeRead = /^(\w+)\.(\w+)$/;

async function execute(
  statement: string,
  clients: Map<string, WalletClient>,
  protocol: ProtocolClient,
  print: (line: string) => void,
  substitute: (value: Literal) => Literal,
): Promise<void> {
  if (importStatement.test(statement)) return;
  const made = construction.exec(statement);
  if (made) {
    clients.set(made[1] as string, new WalletClient(protocol, { print }));
    return;
  }
  const read = attributeRead.exec(statement);
  if (read) {
    const value = member(clients, read[1] as string, read[2] as string);
    if (typeof value === "function") throw new Error(`${statement} is a method: call it`);
    if (value !== undefined && value !== null) print(repr(value));
    return;
  }
  const call = methodCall.exec(statement);
  if (!call) throw new Error(`unsupported statement: ${statement}`);
  const [, name, pythonMethod, argumentText] = call as unknown as [string, string, string, string];
  const client = clients.get(name);
  const target = member(clients, name, pythonMethod);
  if (typeof target !== "function") throw new Error(`the client has no method ${pythonMethod}`);
  const args = parseArguments(argumentText).map(substitute);
  const result: unknown = await (target as (...a: Literal[]) => unknown).apply(client, args);
  if (valueMethods.has(pythonMethod) && result !== undefined && result !== null) print(repr(result));
}

/** A client's member by its Python name (client_salt_seed is clientSaltSeed). */
function member(clients: Map<string, WalletClient>, name: string, pythonName: string): unknown {
  const client = clients.get(name);
  if (!client) throw new Error(`name '${name}' is not defined`);
  const camel = pythonName.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
  if (!(camel in client)) throw new Error(`the client has no attribute ${pythonName} (${camel})`);
  return (client as unknown as Record<string, unknown>)[camel];
}

function repr(value: unknown): string {
  if (typeof value === "string") return pythonRepr(value);
  if (typeof value === "boolean") return value ? "True" : "False";
  return String(value);
}

const literalToken = /\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|-?\d+|None|True|False)\s*(,|$)/y;

/** Python literals separated by commas: strings, integers, None, True, False. */
export function parseArguments(text: string): Literal[] {
  const values: Literal[] = [];
  if (text.trim() === "") return values;
  literalToken.lastIndex = 0;
  while (literalToken.lastIndex < text.length) {
    const found = literalToken.exec(text);
    if (!found) throw new Error(`unsupported arguments: ${text}`);
    const token = found[1] as string;
    if (token === "None") values.push(null);
    else if (token === "True" || token === "False") values.push(token === "True");
    else if (/^-?\d+$/.test(token)) values.push(Number(token));
    else values.push(unquote(token));
    if (found[2] === "") break;
  }
  return values;
}

function unquote(token: string): string {
  const body = token.slice(1, -1);
  return body.replace(/\\(.)/g, (_, escaped: string) => ({ n: "\n", t: "\t", r: "\r" })[escaped] ?? escaped);
}
