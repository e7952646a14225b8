// npm run docs: every page is written, links between pages and to anchors
// resolve, nothing is loaded from the network, and the traceability page
// has every requirement.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadRequirements, profileNames, requirementsOf } from "../spec/index.js";
import { buildDocs } from "./build-docs.js";
import { asyncapiBody } from "./site/asyncapi-page.js";
import { pageLink, renderMarkdown, slug } from "./site/markdown.js";
import { profilePages } from "./site/profile-pages.js";

const attributeValues = (html: string, attribute: string) =>
  [...html.matchAll(new RegExp(`\\s${attribute}="([^"]*)"`, "g"))].map((m) => m[1] as string);

describe("the built docs", () => {
  let outDir: string;
  const pages = new Map<string, string>();

  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), "wallet-sync-docs-"));
    for (const file of await buildDocs(outDir)) pages.set(file, await readFile(join(outDir, file), "utf8"));
  }, 60_000);
  afterAll(() => rm(outDir, { recursive: true, force: true }));

  /** The API reference pages are Redoc's own. */
  const apiPages = new Set(profileNames.map((profile) => profilePages(profile).api));

  test("has the index, the protocol, and each profile's API reference, walkthrough and traceability pages, and api3's notifications", () => {
    expect([...pages.keys()].sort()).toEqual([
      "api.html",
      "api3-notifications.html",
      "api3-traceability.html",
      "api3-walkthrough.html",
      "api3.html",
      "index.html",
      "protocol.html",
      "traceability.html",
      "walkthrough.html",
    ]);
    expect(pages.get("api.html")).toContain("/wallet");
    expect(pages.get("api3.html")).toContain("/api/3/client-salt-seed");
    expect(pages.get("api.html")).not.toContain("/api/3/client-salt-seed");
    expect(pages.get("api3-walkthrough.html")).toContain("c2.update_derived_secrets()");
    expect(pages.get("walkthrough.html")).not.toContain("update_derived_secrets");
  });

  test("the notifications page shows the channel, its token parameter and the message with its pattern", () => {
    const notifications = pages.get("api3-notifications.html") ?? "";
    expect(notifications).toContain("<code>GET /api/3/websocket</code>");
    expect(notifications).toMatch(/<td><code>token<\/code><\/td><td>string<\/td><td>yes<\/td>/);
    expect(notifications).toContain('<h3 id="message-walletUpdate">');
    expect(notifications).toContain("<code>^wallet-update:[1-9][0-9]*$</code>");
    expect(notifications).toContain("<code>wallet-update:2</code>");
    expect(notifications).toContain('<a href="#message-walletUpdate">');
  });

  test("every link between pages, and every anchor it names, exists", () => {
    const ids = new Map([...pages].map(([file, html]) => [file, new Set(attributeValues(html, "id"))]));
    const broken: string[] = [];
    for (const [file, html] of pages) {
      if (apiPages.has(file)) continue; // Redoc's own page
      for (const href of attributeValues(html, "href")) {
        if (/^[a-z]+:/i.test(href)) continue;
        const [target = "", fragment] = href.split("#", 2);
        const page = target === "" ? file : target;
        if (!pages.has(page)) broken.push(`${file}: ${href} (no such page)`);
        else if (fragment !== undefined && !apiPages.has(page) && !ids.get(page)?.has(fragment)) broken.push(`${file}: ${href} (no such anchor)`);
      }
    }
    expect(broken).toEqual([]);
  });

  test("no page loads anything from the network", () => {
    for (const [file, html] of pages) {
      const external = [...html.matchAll(/<(?:script|link|img|iframe)\b[^>]*\s(?:src|href)="(https?:)?\/\/[^"]*"/gi)].map((m) => m[0]);
      expect(external, file).toEqual([]);
    }
  });

  test("the protocol page anchors every requirement, and each profile's traceability page has a row for each that binds it", () => {
    const protocolIds = new Set(attributeValues(pages.get("protocol.html") ?? "", "id"));
    for (const { id } of loadRequirements()) expect(protocolIds.has(id), id).toBe(true);
    for (const profile of profileNames) {
      const traceIds = new Set(attributeValues(pages.get(profilePages(profile).traceability) ?? "", "id"));
      const binding = requirementsOf(profile).map((r) => r.id);
      expect(binding.filter((id) => !traceIds.has(id)), profile).toEqual([]);
      expect(loadRequirements().filter((r) => !binding.includes(r.id) && traceIds.has(r.id)), profile).toEqual([]);
    }
    expect(pages.get("traceability.html")).toContain("SEQ-3/skip-ahead");
    expect(pages.get("traceability.html")).toContain("cannot be observed by a black-box suite");
    expect(pages.get("api3-traceability.html")).toContain("wallet-sync-conformance --protocol api3 --only ID");
  });

  test("a requirement of one profile links to that profile's cases, one of both to each", () => {
    const protocol = pages.get("protocol.html") ?? "";
    const item = (id: string) => new RegExp(`<li id="${id}">.*?</li>`, "s").exec(protocol)?.[0] ?? "";
    expect(item("SALT-1")).toContain('<a class="trace" href="api3-traceability.html#SALT-1">api3 cases</a>');
    expect(item("SALT-1")).not.toContain('href="traceability.html#');
    expect(item("SEQ-4")).toContain('<a class="trace" href="traceability.html#SEQ-4">seed cases</a>');
    expect(item("SEQ-4")).not.toContain("api3-traceability.html");
    expect(item("SEQ-3")).toContain('href="traceability.html#SEQ-3"');
    expect(item("SEQ-3")).toContain('href="api3-traceability.html#SEQ-3"');
  });

  test("the traceability page names each case's file, and the cases whose steps also check a requirement", () => {
    const page = pages.get("traceability.html") ?? "";
    const seqSeven = /<tr id="SEQ-7">.*?<\/tr>/s.exec(page)?.[0] ?? "";
    expect(seqSeven).toContain("<code>conformance/src/checks/sequence.ts</code>");
    expect(seqSeven).toMatch(/Also checked by .*<code[^>]*>SEQ-3\/skip-ahead<\/code>/);
  });
});

describe("the AsyncAPI rendering", () => {
  test("follows references to messages, and escapes what the document says", () => {
    const html = asyncapiBody(
      [
        "asyncapi: 3.0.0",
        "info: { title: 'T <x>', version: '1', description: 'See [the API](openapi.yaml).' }",
        "channels:",
        "  c: { address: /ws, messages: { m: { $ref: '#/components/messages/ping' } } }",
        "operations:",
        "  o: { action: send, channel: { $ref: '#/channels/c' }, messages: [{ $ref: '#/channels/c/messages/m' }] }",
        "components:",
        "  messages:",
        "    ping: { title: Ping, payload: { type: string, pattern: '^a<b$' } }",
      ].join("\n"),
      { from: "api3" },
    );
    expect(html).toContain("<h1>T &lt;x&gt;</h1>");
    expect(html).toContain('<a href="api3.html">the API</a>');
    expect(html).toContain("the client sends");
    expect(html).toContain("<code>/ws</code>");
    expect(html.match(/<a href="#message-ping"><code>ping<\/code><\/a>/g)).toHaveLength(2);
    expect(html).toContain("<code>^a&lt;b$</code>");
  });
});

describe("the Markdown rendering", () => {
  test("links to spec files become links to their pages", () => {
    expect(pageLink("openapi.yaml")).toBe("api.html");
    expect(pageLink("walkthrough.md#test-client")).toBe("walkthrough.html#test-client");
    expect(pageLink("../spec/protocol.md")).toBe("protocol.html");
    expect(pageLink("https://example.com/protocol.md")).toBe("https://example.com/protocol.md");
  });

  test("a link of a document in spec/api3 is read from there", () => {
    expect(pageLink("openapi.yaml", "api3")).toBe("api3.html");
    expect(pageLink("asyncapi.yaml#messages", "api3")).toBe("api3-notifications.html#messages");
    expect(pageLink("../walkthrough.md", "api3")).toBe("walkthrough.html");
    expect(pageLink("../protocol.md#9-the-client-algorithm", "api3")).toBe("protocol.html#9-the-client-algorithm");
    expect(pageLink("api3/walkthrough.md")).toBe("api3-walkthrough.html");
  });

  test("headings get ids and requirements anchors with a link to their cases", () => {
    const html = renderMarkdown("## 6. The sequence rule\n\n- **SEQ-3** (MUST) A `POST` is refused.\n\nSee [the API](openapi.yaml).");
    expect(html).toContain(`<h2 id="${slug("6. The sequence rule")}">6. The sequence rule</h2>`);
    expect(html).toContain('<li id="SEQ-3"><strong>SEQ-3</strong> (MUST) A <code>POST</code> is refused. <a class="trace" href="traceability.html#SEQ-3">cases</a></li>');
    expect(html).toContain('<a href="api.html">the API</a>');
    const loose = renderMarkdown("- **SEC-1** (SHOULD) One.\n\n- **SEC-2** (SHOULD) Two.\n");
    expect(loose).toContain('<li id="SEC-1"><p><strong>SEC-1</strong> (SHOULD) One. <a class="trace" href="traceability.html#SEC-1">cases</a></p>');
  });
});
