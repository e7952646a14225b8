// The spec's Markdown as docs pages: links between the spec files point at
// their pages, headings get ids, and each requirement gets an anchor (its ID)
// and a link to the cases that check it.
import { posix } from "node:path";
import { Marked, type Tokens } from "marked";
import { specFilePages } from "./profile-pages.js";

const pageOf = specFilePages();

/** A link of a spec document in `from` (its folder under spec/, "" for spec/ itself), pointed at the page of the file it names. */
export function pageLink(href: string, from = ""): string {
  const [path = "", fragment] = href.split("#", 2);
  if (/^[a-z]+:/i.test(path)) return href;
  const page = pageOf[posix.normalize(posix.join(from, path)).replace(/^(\.\.\/spec\/|spec\/)/, "")];
  if (page === undefined) return href;
  return fragment === undefined ? page : `${page}#${fragment}`;
}

export interface MarkdownOptions {
  /** The document's folder under spec/, for its relative links. */
  from?: string;
  /** The links after a requirement to the cases that check it; one to the traceability page by default. */
  traceLinks?: (id: string) => Array<{ label: string; href: string }>;
}

const defaultTraceLinks = (id: string) => [{ label: "cases", href: `traceability.html#${id}` }];

/** "6. The sequence rule" -> "6-the-sequence-rule" */
export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/<[^>]*>/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

export function renderMarkdown(markdown: string, options: MarkdownOptions = {}): string {
  const traceLinks = options.traceLinks ?? defaultTraceLinks;
  const marked = new Marked({
    gfm: true,
    walkTokens(token) {
      if (token.type === "link") (token as Tokens.Link).href = pageLink((token as Tokens.Link).href, options.from);
    },
    renderer: {
      heading({ tokens, depth }) {
        const inner = this.parser.parseInline(tokens);
        return `<h${depth} id="${slug(inner)}">${inner}</h${depth}>\n`;
      },
    },
  });
  const html = marked.parse(markdown, { async: false });
  // "- **SEQ-3** (MUST) …" items (in tight or loose lists): anchored by their ID, linked to their cases.
  return html.replace(
    /<li>(<p>)?<strong>([A-Z]+-\d+)<\/strong>(.*?)(<\/p>|<\/li>)/g,
    (_item, paragraph: string | undefined, id: string, rest: string, end: string) =>
      `<li id="${id}">${paragraph ?? ""}<strong>${id}</strong>${rest}${traceLinks(id)
        .map((link) => ` <a class="trace" href="${link.href}">${link.label}</a>`)
        .join("")}${end}`,
  );
}

/** One line of the spec's Markdown (a requirement's text) as inline HTML. */
export function renderInline(markdown: string): string {
  return new Marked({ gfm: true }).parseInline(markdown, { async: false });
}
