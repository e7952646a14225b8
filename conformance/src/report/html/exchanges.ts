// HTTP exchanges as HTML: the request and the response (status, headers,
// body) side by side, or why no response came. Bodies are shown as sent and
// received, escaped and clipped.
import type { Exchange } from "../../client/protocol-client.js";
import { describeExchangeLine, describeFailure } from "../../model/describe.js";
import { clipText, escapeMarkup } from "../markup.js";

const bodyLimit = 16_384;
/** Exchanges listed (one line each) under "every exchange of the check". */
const listedExchanges = 200;

function headerLines(headers: Record<string, string>): string {
  return Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}`)
    .join("\n");
}

function message(startLine: string, headers: Record<string, string>, body: string | undefined): string {
  const head = [startLine, headerLines(headers)].filter((part) => part !== "").join("\n");
  return body === undefined || body === "" ? head : `${head}\n\n${clipText(body, bodyLimit)}`;
}

export function renderExchange(exchange: Exchange): string {
  const { request } = exchange;
  const took = `${(exchange.endedAt - exchange.startedAt).toFixed(1)} ms`;
  const sent = message(`${request.method} ${request.path}`, request.headers, request.body);
  const answer = exchange.response
    ? `<pre>${escapeMarkup(message(`${exchange.response.status} (after ${took})`, exchange.response.headers, exchange.response.text))}</pre>`
    : `<pre class="transport-failure">${escapeMarkup(exchange.failure ? describeFailure(exchange.failure) : "no answer")} (after ${took})</pre>`;
  return [
    '<div class="exchange">',
    `<div class="request"><h5>request</h5><pre>${escapeMarkup(sent)}</pre></div>`,
    `<div class="response"><h5>response</h5>${answer}</div>`,
    "</div>",
  ].join("");
}

/** One line per exchange, for the full list of a check's exchanges. */
export function renderExchangeList(exchanges: readonly Exchange[]): string {
  const lines = exchanges.slice(0, listedExchanges).map((e) => escapeMarkup(describeExchangeLine(e)));
  const more = exchanges.length > listedExchanges ? `\n… and ${exchanges.length - listedExchanges} more` : "";
  return `<pre class="exchange-list">${lines.join("\n")}${more}</pre>`;
}
