// An AsyncAPI 3 document as a docs page: its description, servers, channels
// (address and query), operations and messages (payload schema and
// examples), with the document itself at the end. Only what the project's
// documents use is rendered; the source is always there in full.
import { parse as parseYaml } from "yaml";
import { escapeAttribute, escapeMarkup } from "../../conformance/src/report/markup.js";
import { renderInline, renderMarkdown, type MarkdownOptions } from "./markdown.js";

type Node = Record<string, unknown>;

const isNode = (value: unknown): value is Node => typeof value === "object" && value !== null && !Array.isArray(value);
const entries = (value: unknown): Array<[string, Node]> => (isNode(value) ? Object.entries(value).filter((e): e is [string, Node] => isNode(e[1])) : []);
const text = (value: unknown): string => (typeof value === "string" || typeof value === "number" ? String(value) : "");

/** Follows a local `$ref` ("#/components/messages/walletUpdate") to what it names. */
function resolver(document: Node): (value: unknown) => Node {
  return (value) => {
    let node = isNode(value) ? value : {};
    for (let hops = 0; typeof node["$ref"] === "string" && hops < 16; hops++) {
      const pointer = (node["$ref"] as string).replace(/^#\//, "").split("/");
      let target: unknown = document;
      for (const part of pointer) target = isNode(target) ? target[part.replace(/~1/g, "/").replace(/~0/g, "~")] : undefined;
      node = isNode(target) ? target : {};
    }
    return node;
  };
}

/** The anchor of a message: its key under components.messages. */
const messageAnchor = (name: string) => `message-${name}`;

function definitionList(rows: Array<[string, string]>): string {
  const kept = rows.filter(([, value]) => value !== "");
  return kept.length === 0 ? "" : `<dl>${kept.map(([term, value]) => `<dt>${escapeMarkup(term)}</dt><dd>${value}</dd>`).join("")}</dl>`;
}

function schemaRows(schema: Node): Array<[string, string]> {
  const examples = Array.isArray(schema["examples"]) ? schema["examples"] : [];
  return [
    ["Type", schema["type"] !== undefined ? `<code>${escapeMarkup(text(schema["type"]))}</code>` : ""],
    ["Pattern", schema["pattern"] !== undefined ? `<code>${escapeMarkup(text(schema["pattern"]))}</code>` : ""],
    ["Description", schema["description"] !== undefined ? renderInline(text(schema["description"])) : ""],
    ["Examples", examples.map((example) => `<code>${escapeMarkup(typeof example === "string" ? example : JSON.stringify(example))}</code>`).join(", ")],
  ];
}

function queryTable(query: Node): string {
  const required = new Set(Array.isArray(query["required"]) ? query["required"].map(text) : []);
  const rows = entries(query["properties"]).map(
    ([name, schema]) =>
      `<tr><td><code>${escapeMarkup(name)}</code></td><td>${escapeMarkup(text(schema["type"]))}</td><td>${required.has(name) ? "yes" : "no"}</td><td>${renderInline(text(schema["description"]))}</td></tr>`,
  );
  return rows.length === 0 ? "" : `<table><thead><tr><th>Query parameter</th><th>Type</th><th>Required</th><th>Description</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

/** The page body for an AsyncAPI document's YAML; `markdown` places its relative links. */
export function asyncapiBody(source: string, markdown: MarkdownOptions = {}): string {
  const document = parseYaml(source) as Node;
  const resolve = resolver(document);
  const info = isNode(document["info"]) ? document["info"] : {};
  const componentMessages = entries(isNode(document["components"]) ? document["components"]["messages"] : undefined);
  const messageName = (reference: unknown): string => {
    const node = resolve(reference);
    return componentMessages.find(([, message]) => message === node)?.[0] ?? text(node["name"]);
  };
  const messageLinks = (list: unknown): string =>
    (Array.isArray(list) ? list : Object.values(isNode(list) ? list : {}))
      .map((reference) => messageName(reference))
      .map((name) => `<a href="#${escapeAttribute(messageAnchor(name))}"><code>${escapeMarkup(name)}</code></a>`)
      .join(", ");

  const servers = entries(document["servers"]).map(([name, server]) =>
    definitionList([
      ["Server", `<code>${escapeMarkup(name)}</code>`],
      ["Address", `<code>${escapeMarkup(`${text(server["protocol"])}://${text(server["host"])}${text(server["pathname"])}`)}</code>`],
      ["Description", renderInline(text(server["description"]))],
    ]),
  );
  const channels = entries(document["channels"]).map(([name, channel]) => {
    const binding = isNode(channel["bindings"]) && isNode(channel["bindings"]["ws"]) ? channel["bindings"]["ws"] : {};
    return [
      `<h3 id="channel-${escapeAttribute(name)}">${escapeMarkup(text(channel["title"]) || name)}</h3>`,
      definitionList([
        ["Address", `<code>${escapeMarkup(text(binding["method"]) || "GET")} ${escapeMarkup(text(channel["address"]))}</code>`],
        ["Description", renderInline(text(channel["description"]))],
        ["Messages", messageLinks(channel["messages"])],
      ]),
      queryTable(resolve(binding["query"])),
    ].join("\n");
  });
  const operations = entries(document["operations"]).map(([name, operation]) =>
    [
      `<h3 id="operation-${escapeAttribute(name)}">${escapeMarkup(text(operation["title"]) || name)}</h3>`,
      definitionList([
        ["Operation", `<code>${escapeMarkup(name)}</code>: the client ${operation["action"] === "send" ? "sends" : "receives"}`],
        ["Channel", `<code>${escapeMarkup(text(resolve(operation["channel"])["address"]))}</code>`],
        ["Messages", messageLinks(operation["messages"])],
      ]),
      renderMarkdown(text(operation["description"]), markdown),
    ].join("\n"),
  );
  const messages = componentMessages.map(([name, message]) =>
    [
      `<h3 id="${escapeAttribute(messageAnchor(name))}">${escapeMarkup(name)}: ${escapeMarkup(text(message["title"]))}</h3>`,
      definitionList([["Content type", `<code>${escapeMarkup(text(message["contentType"]) || text(document["defaultContentType"]))}</code>`]]),
      `<h4>Payload</h4>`,
      definitionList(schemaRows(resolve(message["payload"]))),
    ].join("\n"),
  );
  return [
    `<h1>${escapeMarkup(text(info["title"]))}</h1>`,
    `<p>AsyncAPI ${escapeMarkup(text(document["asyncapi"]))}, version ${escapeMarkup(text(info["version"]))}.</p>`,
    renderMarkdown(text(info["description"]), markdown),
    "<h2 id=\"servers\">Servers</h2>",
    ...servers,
    "<h2 id=\"channels\">Channels</h2>",
    ...channels,
    "<h2 id=\"operations\">Operations</h2>",
    ...operations,
    "<h2 id=\"messages\">Messages</h2>",
    ...messages,
    "<h2 id=\"source\">The document</h2>",
    `<details><summary>The AsyncAPI document as written</summary><pre><code>${escapeMarkup(source)}</code></pre></details>`,
  ].join("\n");
}
