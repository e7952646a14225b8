// The frame of every docs page but the Redoc one: a navigation bar and an
// inline style, so each page works opened from disk with no network.
import { profileNames } from "../../spec/index.js";
import { escapeMarkup, htmlDocumentStart } from "../../conformance/src/report/markup.js";
import { profilePages } from "./profile-pages.js";

export interface NavigationEntry {
  file: string;
  label: string;
}

/** The pages every profile shares, then each profile's own under its name. */
export const navigation: Array<{ profile?: string; entries: NavigationEntry[] }> = [
  {
    entries: [
      { file: "index.html", label: "Overview" },
      { file: "protocol.html", label: "Protocol" },
    ],
  },
  ...profileNames.map((profile) => {
    const pages = profilePages(profile);
    return {
      profile,
      entries: [
        { file: pages.api, label: "API" },
        ...(pages.notifications !== undefined ? [{ file: pages.notifications, label: "Notifications" }] : []),
        { file: pages.walkthrough, label: "Walkthrough" },
        { file: pages.traceability, label: "Traceability" },
      ],
    };
  }),
];

const style = `
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2329; }
nav { background: #1f3a5f; padding: .6em 2em; }
nav a { color: #dfe8f3; text-decoration: none; margin-right: 1.2em; font-weight: 600; white-space: nowrap; }
nav .profile { color: #9fb3c8; margin: 0 .6em 0 .8em; font-size: .85em; text-transform: uppercase; letter-spacing: .05em; }
nav a[aria-current="page"] { color: #fff; border-bottom: 2px solid #fff; }
main { max-width: 980px; margin: 0 auto; padding: 1.5em 2em 4em; }
main.wide { max-width: 1300px; }
h1 { font-size: 1.7em; } h2 { margin-top: 2em; border-bottom: 1px solid #d9dee3; padding-bottom: .2em; }
code, pre { font: 13px/1.45 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
code { background: #f1f3f5; padding: .05em .3em; border-radius: 3px; }
pre { background: #f5f7f9; border: 1px solid #d9dee3; border-radius: 4px; padding: .7em 1em; overflow-x: auto; }
pre code { background: none; padding: 0; }
li[id] { scroll-margin-top: 1em; }
li[id]:target { background: #fff6d6; }
a.trace { font-size: .8em; margin-left: .4em; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .3em .6em; border-bottom: 1px solid #d9dee3; }
th { color: #5f6b76; }
tr:target { background: #fff6d6; }
.coverage { font-weight: 700; white-space: nowrap; }
.coverage.checked { color: #2e7d32; } .coverage.outside { color: #5f6b76; } .coverage.unchecked { color: #c62828; }
ul.cases { margin: 0; padding-left: 1.1em; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .25em 1.2em; }
dt { color: #5f6b76; } dd { margin: 0; }
.cases .file, p.also { color: #5f6b76; font-size: 0.9em; } p.also { margin: 0.3em 0 0; }
`;

export function page(options: { file: string; title: string; body: string; wide?: boolean }): string {
  const link = (entry: NavigationEntry) =>
    `<a href="${entry.file}"${entry.file === options.file ? ' aria-current="page"' : ""}>${escapeMarkup(entry.label)}</a>`;
  const links = navigation
    .map((group) => `${group.profile ? `<span class="profile">${escapeMarkup(group.profile)}</span>` : ""}${group.entries.map(link).join("")}`)
    .join("");
  return [
    ...htmlDocumentStart({ title: `${options.title} · wallet-sync`, style }),
    `<nav>${links}</nav>`,
    `<main${options.wide ? ' class="wide"' : ""}>`,
    options.body,
    "</main>",
    "</body>",
    "</html>",
    "",
  ].join("\n");
}
