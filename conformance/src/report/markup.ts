// Escaping for XML and HTML reports. Servers send anything, and everything
// they send ends up in a report, so every text goes through here.

/** Code points that XML 1.0 forbids and HTML parsers flag or replace: C0/C1 controls (but tab and line ends), lone surrogates, noncharacters. */
const unrepresentable =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const entities: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Shows a character a report cannot carry as a visible escape such as \u0000. */
function visible(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/** Text safe in element content and in quoted attribute values of both XML and HTML. */
export function escapeMarkup(text: string): string {
  return text.replace(unrepresentable, visible).replace(/[&<>"']/g, (char) => entities[char] as string);
}

/** An attribute value that keeps its line breaks (XML normalizes raw ones to spaces). */
export function escapeAttribute(text: string): string {
  return escapeMarkup(text).replace(/\r/g, "&#13;").replace(/\n/g, "&#10;").replace(/\t/g, "&#9;");
}

/** Cuts a long text, saying how long it was. */
export function clipText(text: string, limit: number): string {
  return text.length > limit ? `${text.slice(0, limit)}… (${text.length} characters in all)` : text;
}

/** The start of an HTML page up to <body>: the same head for reports and the docs site. */
export function htmlDocumentStart(options: { title: string; style: string; extraHead?: readonly string[] }): string[] {
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    ...(options.extraHead ?? []),
    `<title>${escapeMarkup(options.title)}</title>`,
    `<style>${options.style}</style>`,
    "</head>",
    "<body>",
  ];
}
