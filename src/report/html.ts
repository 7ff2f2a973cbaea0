/**
 * HTML building for the report and the web workbench: Hono's `html` tagged template (every interpolated
 * string is escaped; nested templates and arrays of them are kept as they are), made synchronous, plus a
 * safe way to embed JSON data for the chart script.
 */
import { html as honoHtml, raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";

export type Html = HtmlEscapedString;
export { raw };

/** Escaping template: `html\`<td>${value}</td>\``. Values must not be promises. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  const out = honoHtml(strings, ...values);
  if (out instanceof Promise) throw new Error("html: asynchronous template values are not supported");
  return out;
}

/**
 * JSON text that can sit inside a `<script>` element: `<`, `>`, `&` and the line separators are written as
 * \u escapes, so no value can close the element or start a comment.
 */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll("<", "\\u003c")
    .replaceAll(">", "\\u003e")
    .replaceAll("&", "\\u0026")
    .replaceAll("\u2028", "\\u2028")
    .replaceAll("\u2029", "\\u2029");
}

/** A chart placeholder: a sized `<div data-chart>` plus its ECharts option as inert JSON. */
export function chartBlock(id: string, option: unknown, opts: { height?: number; cls?: string } = {}): Html {
  const height = opts.height ?? 320;
  return html`<div class="chart ${opts.cls ?? ""}" id="${id}" data-chart="${id}-data" style="height:${height}px"></div>
<script type="application/json" id="${id}-data">${raw(scriptSafeJson(option))}</script>`;
}
