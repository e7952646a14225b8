// The executable walkthrough: parsing spec/walkthrough.md, matching random
// values by pattern, and running it against the reference.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startReferenceServer, type ReferenceServer } from "../../reference/src/index.js";
import { ProtocolClient } from "../src/client/protocol-client.js";
import { parseWalkthrough } from "../src/walkthrough/document.js";
import { parseArguments, runWalkthrough } from "../src/walkthrough/interpreter.js";
import { RandomValueBindings } from "../src/walkthrough/pattern.js";
import { walkthroughSteps } from "../src/walkthrough/check.js";

const tokenA = "a489d5cacc0a3db4811c34d203683482d90c605b03ae007fa5ae32ef17252bd9";
const tokenB = "1fe687db8ab493ed260f499b674cfa49edefd3c03a718905c62d3f850dc50567";
const hex64 = (digit: string) => digit.repeat(64);

describe("RandomValueBindings", () => {
  test("binds a token at its first appearance and requires it again later", () => {
    const bindings = new RandomValueBindings();
    expect(bindings.match(`Got auth token: ${tokenA}`, `Got auth token: ${hex64("1")}`)).toEqual({ ok: true });
    expect(bindings.match(`again ${tokenA}`, `again ${hex64("1")}`)).toEqual({ ok: true });
    const changed = bindings.match(`again ${tokenA}`, `again ${hex64("2")}`);
    expect(changed.ok).toBe(false);
    expect(!changed.ok && changed.reason).toContain(`stood for ${hex64("1")}`);
  });

  test("two tokens of the document must be two tokens of the run", () => {
    const bindings = new RandomValueBindings();
    expect(bindings.match(`Got auth token: ${tokenA}`, `Got auth token: ${hex64("1")}`).ok).toBe(true);
    expect(bindings.match(`Got auth token: ${tokenB}`, `Got auth token: ${hex64("1")}`).ok).toBe(false);
    expect(bindings.match(`Got auth token: ${tokenB}`, `Got auth token: ${hex64("3")}`).ok).toBe(true);
  });

  test("any server's token stands for the document's: URL-safe, any length, but not a line with other text", () => {
    const bindings = new RandomValueBindings();
    const base64url = "3q2-7wH1xKd0pQ9rY5mZbA8sVn2LcE4uT6jGfO0hR1w";
    expect(bindings.match(`Got auth token: ${tokenA}`, `Got auth token: ${base64url}`).ok).toBe(true);
    expect(bindings.match(`again ${tokenA}`, `again ${base64url}`).ok).toBe(true);
    expect(bindings.match(`Got auth token: ${tokenB}`, "Got auth token: two words").ok).toBe(false);
    expect(bindings.match(`Got auth token: ${tokenB}`, "Got auth token: ").ok).toBe(false);
  });

  test("matches change ids by pattern and keeps them consistent", () => {
    const bindings = new RandomValueBindings();
    expect(bindings.match("'-:cfF6'", "'-:0a1B'").ok).toBe(true);
    expect(bindings.match("'-:cfF6:565b'", "'-:0a1B:ffff'").ok).toBe(true);
    const state = (wallet: string) => `WalletState(sequence=4, encrypted_wallet='${wallet}')`;
    expect(bindings.match(state("-:cfF6:565b"), state("-:0a1B:ffff")).ok).toBe(true);
    // A lost update: the second change is missing.
    expect(bindings.match("'-:cfF6:565b'", "'-:0a1B'").ok).toBe(false);
    // The changes in the other order.
    expect(bindings.match("'-:cfF6:565b'", "'-:ffff:0a1B'").ok).toBe(false);
    expect(bindings.resolve("'-:cfF6:565b:6De1'")).toBe("'-:0a1B:ffff:6De1'");
  });

  test("a line that does not match binds nothing", () => {
    const bindings = new RandomValueBindings();
    expect(bindings.match("sequence=1 '-:cfF6'", "sequence=2 '-:0a1B'").ok).toBe(false);
    expect(bindings.match("'-:cfF6'", "'-:beef'").ok).toBe(true);
  });

  test("an error body matches any JSON object with a string error, and nothing else", () => {
    const bindings = new RandomValueBindings();
    const documented = '{"error":"Unauthorized: Token Not Found"}';
    expect(bindings.match(documented, '{"error":"token unknown"}').ok).toBe(true);
    expect(bindings.match(documented, '{\n  "error": "expired",\n  "code": 7\n}').ok).toBe(true);
    expect(bindings.match(documented, "Unauthorized").ok).toBe(false);
    expect(bindings.match(documented, '{"message":"Unauthorized"}').ok).toBe(false);
    expect(bindings.match(documented, '{"error":401}').ok).toBe(false);
    expect(bindings.match("Error 401", "Error 403").ok).toBe(false);
  });

  test("a salt seed binds like a token: the same seed again, a new one must differ", () => {
    const bindings = new RandomValueBindings();
    const seedLine = (seed: string) => `'${seed}'`;
    expect(bindings.match(seedLine(tokenA), seedLine(hex64("1"))).ok).toBe(true);
    expect(bindings.match(seedLine(tokenA), seedLine(hex64("1"))).ok).toBe(true);
    expect(bindings.match(seedLine(tokenB), seedLine(hex64("1"))).ok).toBe(false);
    expect(bindings.match(seedLine(tokenB), seedLine(hex64("2"))).ok).toBe(true);
  });

  test("everything else must be equal, and values must have their exact shape", () => {
    const bindings = new RandomValueBindings();
    expect(bindings.match("Registered", "Registered").ok).toBe(true);
    expect(bindings.match("Registered", "Error 409").ok).toBe(false);
    expect(bindings.match(`Got auth token: ${tokenA}`, "Got auth token: a+b/c=").ok).toBe(false);
    expect(bindings.match("'-:cfF6'", "'-:cfF6a'").ok).toBe(false);
    expect(bindings.match("'-:cfF6'", "'-:xyzw'").ok).toBe(false);
  });
});

describe("the walkthrough document", () => {
  test("parses into the walkthrough's statements, with its lines", () => {
    const steps = walkthroughSteps();
    expect(steps).toHaveLength(34);
    expect(steps[0]?.statement).toBe("from test_client import Client");
    const register = steps.find((s) => s.statement === "c1.register()");
    expect(register?.expected.map((e) => e.text)).toEqual(["Registered"]);
    expect(steps.at(-1)?.expected.at(-1)?.text).toBe("WalletState(sequence=7, encrypted_wallet='-:cfF6:565b:6De1:053a:6774')");
  });

  test("the api3 profile has its own, with the salt seed, the password change and a notification", () => {
    const steps = walkthroughSteps("api3");
    const statements = steps.map((s) => s.statement);
    expect(statements).toContain("c2.update_derived_secrets()");
    expect(statements).toContain('c1.change_password("windy-lighthouse")');
    const notified = steps.find((s) => s.statement === "c2.next_notification()");
    expect(notified?.expected.map((e) => e.text)).toEqual(["'wallet-update:9'"]);
    expect(steps).not.toEqual(walkthroughSteps("seed"));
  });

  test("rejects output before any statement and unclosed blocks", () => {
    expect(() => parseWalkthrough("```pycon\nfoo\n```")).toThrow(/output before any statement/);
    expect(() => parseWalkthrough("```pycon\n>>> c1 = Client()\n")).toThrow(/not closed/);
  });

  test("parses Python literal arguments", () => {
    expect(parseArguments('"joe2@example.com", "123abc2"')).toEqual(["joe2@example.com", "123abc2"]);
    expect(parseArguments("'a\\'b', 7, None, True")).toEqual(["a'b", 7, null, true]);
    expect(parseArguments("")).toEqual([]);
    expect(() => parseArguments("x + 1")).toThrow(/unsupported/);
  });
});

describe("running the walkthrough", () => {
  let server: ReferenceServer;
  beforeAll(async () => {
    server = await startReferenceServer({ scryptCost: 64 });
  });
  afterAll(() => server.close());

  const email = () => `walkthrough-${Math.random().toString(16).slice(2)}@example.com`;

  test("runs every statement against the reference without a difference", async () => {
    const outcome = await runWalkthrough(walkthroughSteps(), { protocol: new ProtocolClient({ baseUrl: server.url }), email });
    expect(outcome.mismatch).toBeUndefined();
    expect(outcome.statementsRun).toBe(34);
  });

  test("names the first differing line with expected and actual", async () => {
    const document = [
      "```pycon",
      ">>> c1 = Client()",
      '>>> c1.set_account("joe2@example.com", "123abc2")',
      ">>> c1.register()",
      "Registered",
      ">>> c1.get_auth_token()",
      `Got auth token: ${tokenA}`,
      ">>> c1.new_wallet_state()",
      ">>> c1.post_wallet()",
      "Successfully updated wallet state on server",
      "Got new walletState:",
      "WalletState(sequence=2, encrypted_wallet='-')",
      "```",
    ].join("\n");
    const protocol = new ProtocolClient({ baseUrl: server.url });
    const outcome = await runWalkthrough(parseWalkthrough(document), { protocol, email });
    expect(outcome.mismatch).toMatchObject({
      line: 12,
      expected: "WalletState(sequence=2, encrypted_wallet='-')",
      actual: "WalletState(sequence=1, encrypted_wallet='-')",
    });
  });

  test("reports missing and extra lines, and unsupported statements", async () => {
    const protocol = new ProtocolClient({ baseUrl: server.url });
    const consoleBlock = (...lines: string[]) => parseWalkthrough(["```pycon", ...lines, "```"].join("\n"));
    const extra = await runWalkthrough(consoleBlock(">>> c1 = Client()", ">>> c1.cur_encrypted_wallet()"), { protocol, email });
    expect(extra.mismatch).toMatchObject({ reason: "an extra line was printed", actual: "No wallet state, so no encrypted wallet." });
    const missing = await runWalkthrough(consoleBlock(">>> c1 = Client()", ">>> c1.new_wallet_state()", "'-'"), { protocol, email });
    expect(missing.mismatch).toMatchObject({ reason: "a line is missing", expected: "'-'" });
    const unsupported = await runWalkthrough(consoleBlock(">>> import os"), { protocol, email });
    expect(unsupported.mismatch?.reason).toContain("unsupported statement");
  });

  test("an attribute prints its repr, None prints nothing, and an unknown attribute fails the statement", async () => {
    const protocol = new ProtocolClient({ baseUrl: server.url });
    const consoleBlock = (...lines: string[]) => parseWalkthrough(["```pycon", ...lines, "```"].join("\n"));
    const read = await runWalkthrough(
      consoleBlock(">>> c1 = Client()", '>>> c1.set_account("a@example.com", "root-pw")', ">>> c1.root_password", "'root-pw'", ">>> c1.client_salt_seed"),
      { protocol, email },
    );
    expect(read.mismatch).toBeUndefined();
    expect(read.transcript).toEqual([
      ">>> c1 = Client()",
      '>>> c1.set_account("a@example.com", "root-pw")',
      ">>> c1.root_password",
      "'root-pw'",
      ">>> c1.client_salt_seed",
    ]);
    const unknown = await runWalkthrough(consoleBlock(">>> c1 = Client()", ">>> c1.no_such_thing"), { protocol, email });
    expect(unknown.mismatch?.reason).toContain("no attribute no_such_thing");
  });
});

describe("running the api3 walkthrough", () => {
  let server: ReferenceServer;
  beforeAll(async () => {
    server = await startReferenceServer({ protocol: "api3", scryptCost: 64 });
  });
  afterAll(() => server.close());

  const email = () => `walkthrough-${Math.random().toString(16).slice(2)}@example.com`;
  const api3 = () => new ProtocolClient({ baseUrl: server.url, profile: "api3" });

  test("runs every statement of spec/api3/walkthrough.md against the api3 reference without a difference", async () => {
    const steps = walkthroughSteps("api3");
    const outcome = await runWalkthrough(steps, { protocol: api3(), email });
    expect(outcome.mismatch).toBeUndefined();
    expect(outcome.statementsRun).toBe(steps.length);
  });

  test("names the line where a server hands the second device another salt seed than the first stored", async () => {
    const wrong = "0".repeat(64);
    const broken = await startReferenceServer({
      protocol: "api3",
      scryptCost: 64,
      wrapHandler: (listener) => (request, response) => {
        if (!request.url?.startsWith("/api/3/client-salt-seed")) return listener(request, response);
        response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ clientSaltSeed: wrong }));
      },
    });
    try {
      const outcome = await runWalkthrough(walkthroughSteps("api3"), { protocol: new ProtocolClient({ baseUrl: broken.url, profile: "api3" }), email });
      expect(outcome.mismatch).toMatchObject({ step: { statement: "c2.client_salt_seed" }, actual: `'${wrong}'` });
      expect(outcome.mismatch?.reason).toMatch(/salt seed .* stood for [0-9a-f]{64} earlier/);
    } finally {
      await broken.close();
    }
  });
});
