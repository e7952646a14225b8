// The spec's Markdown as docs pages: links between the spec files point at
// their pages, headings get ids, and each requirement gets an anchor (its ID)
// and a link to the cases that check it.
import { Marked, type Tokens } from "marked";

/** Spec files and the pages they become. */
const pageOf: Record<string, string> = {
  "openapi.yaml": "api.html",
  "protocol.md": "protocol.html",
  "walkthrough.md": "walkthrough.html",
};

export function pageLink(href: string): string {
  const [path = "", fragment] = href.split("#", 2);
  const page = pageOf[path.replace(/^(\.\/|\.\.\/spec\/|spec\/)/, "")];
  if (page === undefined) return href;
  return fragment === undefined ? page : `${page}#${fragment}`;
}

/** "6. The sequence rule" -> "6-the-sequence-rule" */
export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/<[^>]*>/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

export function renderMarkdown(markdown: string): string {
  const marked = new Marked({
    gfm: true,
    walkTokens(token) {
      if (token.type === "link") (token as Tokens.Link).href = pageLink((token as Tokens.Link).href);
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
      `<li id="${id}">${paragraph ?? ""}<strong>${id}</strong>${rest} <a class="trace" href="traceability.html#${id}">cases</a>${end}`,
  );
}

/** One line of the spec's Markdown (a requirement's text) as inline HTML. */
export function renderInline(markdown: string): string {
  return new Marked({ gfm: true }).parseInline(markdown, { async: false });
}
