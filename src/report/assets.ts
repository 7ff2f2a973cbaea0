/**
 * Static assets of the report and the workbench: ECharts from node_modules (no CDN: the network is
 * closed), the chart boot script and the style sheet beside this module. Read once, kept in memory.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

export const ASSETS = {
  "echarts.min.js": () => require.resolve("echarts/dist/echarts.min.js"),
  "charts.js": () => new URL("./assets/charts.js", import.meta.url),
  "style.css": () => new URL("./assets/style.css", import.meta.url),
} as const;

export type AssetName = keyof typeof ASSETS;

const cache = new Map<AssetName, string>();

export function readAsset(name: AssetName): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(ASSETS[name](), "utf8");
    cache.set(name, text);
  }
  return text;
}

/** Script text safe to inline in a `<script>` element (no `</script` inside). */
export function inlineScript(text: string): string {
  return text.replace(/<\/(script)/gi, "<\\/$1");
}
