// npm run docs: every page is written, links between pages and to anchors
// resolve, nothing is loaded from the network, and the traceability page
// has every requirement.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadRequirements } from "../spec/index.js";
import { buildDocs } from "./build-docs.js";
import { pageLink, renderMarkdown, slug } from "./site/markdown.js";

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

  test("has the index, the API reference, protocol, walkthrough and traceability pages", () => {
    expect([...pages.keys()].sort()).toEqual(["api.html", "index.html", "protocol.html", "traceability.html", "walkthrough.html"]);
    expect(pages.get("api.html")).toContain("/wallet");
  });

  test("every link between pages, and every anchor it names, exists", () => {
    const ids = new Map([...pages].map(([file, html]) => [file, new Set(attributeValues(html, "id"))]));
    const broken: string[] = [];
    for (const [file, html] of pages) {
      if (file === "api.html") continue; // Redoc's own page
      for (const href of attributeValues(html, "href")) {
        if (/^[a-z]+:/i.test(href)) continue;
        const [target = "", fragment] = href.split("#", 2);
        const page = target === "" ? file : target;
        if (!pages.has(page)) broken.push(`${file}: ${href} (no such page)`);
        else if (fragment !== undefined && page !== "api.html" && !ids.get(page)?.has(fragment)) broken.push(`${file}: ${href} (no such anchor)`);
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

  test("the protocol page anchors every requirement, and the traceability page has a row for each", () => {
    const protocolIds = new Set(attributeValues(pages.get("protocol.html") ?? "", "id"));
    const traceIds = new Set(attributeValues(pages.get("traceability.html") ?? "", "id"));
    for (const { id } of loadRequirements()) {
      expect(protocolIds.has(id), id).toBe(true);
      expect(traceIds.has(id), id).toBe(true);
    }
    expect(pages.get("traceability.html")).toContain("SEQ-3/skip-ahead");
    expect(pages.get("traceability.html")).toContain("cannot be observed by a black-box suite");
  });

  test("the traceability page names each case's file, and the cases whose steps also check a requirement", () => {
    const page = pages.get("traceability.html") ?? "";
    const seqSeven = /<tr id="SEQ-7">.*?<\/tr>/s.exec(page)?.[0] ?? "";
    expect(seqSeven).toContain("<code>conformance/src/checks/sequence.ts</code>");
    expect(seqSeven).toMatch(/Also checked by .*<code[^>]*>SEQ-3\/skip-ahead<\/code>/);
  });
});

describe("the Markdown rendering", () => {
  test("links to spec files become links to their pages", () => {
    expect(pageLink("openapi.yaml")).toBe("api.html");
    expect(pageLink("walkthrough.md#test-client")).toBe("walkthrough.html#test-client");
    expect(pageLink("../spec/protocol.md")).toBe("protocol.html");
    expect(pageLink("https://example.com/protocol.md")).toBe("https://example.com/protocol.md");
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
