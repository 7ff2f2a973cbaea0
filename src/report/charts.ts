/**
 * ECharts options (pure data, no functions, so they travel as JSON) for the report and the workbench:
 * a tender's bids against its ceiling price, a ring's firm graph, histograms and count bars.
 * The page script (assets/charts.js) draws every `[data-chart]` element with the SVG renderer.
 */
import { quantileSorted } from "simple-statistics";
import { type Lang, label, RULE_LABELS } from "./labels.ts";

export const COLORS = {
  winner: "#c0392b",
  alertFirm: "#e67e22",
  other: "#8c9bb0",
  disqualified: "#d5d8dc",
  ceiling: "#34495e",
  bar: "#2e86c1",
  node: "#e67e22",
  nodeOutside: "#aab7c4",
} as const;

export interface BidPoint {
  readonly firm_id: string;
  readonly firm_name: string | null;
  readonly price: number;
  readonly is_winner: boolean | null;
  readonly disqualified: boolean | null;
}

export interface TenderForChart {
  readonly tender_id: string;
  readonly title: string | null;
  readonly ceiling_price: number | null;
}

/** A name short enough for an axis label: at most `max` characters, with an ellipsis. */
export function shortName(name: string | null | undefined, id: string, max = 8): string {
  const n = (name ?? "").replace(/(有限责任公司|股份有限公司|有限公司|集团)$/u, "").trim();
  if (!n) return id.length > 8 ? `…${id.slice(-6)}` : id;
  return n.length > max ? `${n.slice(0, max)}…` : n;
}

/**
 * One tender's bids as bars (万元), sorted by price; the alert's firms in orange, the winner in red with a
 * "中标 / won" label, disqualified bids pale with "废标 / DQ"; the ceiling price as a dashed line.
 */
export function bidChartOption(
  tender: TenderForChart,
  bids: readonly BidPoint[],
  alertFirms: ReadonlySet<string>,
  lang: Lang,
): Record<string, unknown> {
  const sorted = [...bids].sort((a, b) => a.price - b.price || (a.firm_id < b.firm_id ? -1 : 1));
  const wan = (y: number) => Math.round(y / 100) / 100;
  const values = sorted.map((b) => wan(b.price));
  const ceiling = tender.ceiling_price !== null ? wan(tender.ceiling_price) : null;
  const all = ceiling !== null ? [...values, ceiling] : values;
  const axis = niceAxis(Math.min(...all), Math.max(...all));
  const won = lang === "zh" ? "中标" : "won";
  const dq = lang === "zh" ? "废标" : "DQ";
  return {
    animation: false,
    title: {
      text: `${tender.tender_id}${tender.title ? `  ${tender.title}` : ""}`,
      left: 0,
      textStyle: { fontSize: 13, fontWeight: "normal" },
    },
    grid: { left: 72, right: 16, top: 44, bottom: 72 },
    tooltip: { trigger: "item", formatter: "{b}<br/>{c}" },
    xAxis: {
      type: "category",
      data: sorted.map((b) => ({
        value: `${shortName(b.firm_name, b.firm_id)}${alertFirms.has(b.firm_id) ? " ★" : ""}`,
      })),
      axisLabel: { rotate: 35, fontSize: 10, interval: 0 },
    },
    yAxis: {
      type: "value",
      name: lang === "zh" ? "报价（万元）" : "bid (10k yuan)",
      nameLocation: "middle",
      nameGap: 50,
      nameTextStyle: { fontSize: 11 },
      min: axis.min,
      max: axis.max,
      interval: axis.step,
      axisLabel: { fontSize: 10 },
    },
    series: [
      {
        type: "bar",
        name: lang === "zh" ? "报价" : "bid",
        barMaxWidth: 36,
        data: sorted.map((b, i) => {
          const color = b.is_winner
            ? COLORS.winner
            : b.disqualified
              ? COLORS.disqualified
              : alertFirms.has(b.firm_id)
                ? COLORS.alertFirm
                : COLORS.other;
          const tag = b.is_winner ? won : b.disqualified ? dq : "";
          return {
            value: values[i],
            name: `${b.firm_name ?? b.firm_id} (${b.firm_id})`,
            itemStyle: { color },
            ...(tag ? { label: { show: true, position: "top", formatter: tag, fontSize: 11, color } } : {}),
          };
        }),
        ...(ceiling !== null
          ? {
              markLine: {
                symbol: "none",
                silent: true,
                lineStyle: { type: "dashed", color: COLORS.ceiling },
                label: {
                  formatter: `${lang === "zh" ? "最高限价" : "ceiling"} ${ceiling}`,
                  position: "insideEndTop",
                  fontSize: 10,
                },
                data: [{ yAxis: ceiling }],
              },
            }
          : {}),
      },
    ],
  };
}

/**
 * A value axis around [lo, hi] with round ticks: about five steps of 1, 2 or 5 × 10^k, a margin of at least
 * 10 % of the range on both sides, never below zero.
 */
export function niceAxis(lo: number, hi: number): { min: number; max: number; step: number } {
  const range = Math.max(hi - lo, Math.abs(hi) * 0.02, 1e-9);
  const raw = (range * 1.2) / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  const min = Math.max(0, Math.floor((lo - range * 0.1) / step) * step);
  const max = Math.ceil((hi + range * 0.1) / step) * step;
  const r = (x: number) => Number(x.toPrecision(12));
  return { min: r(min), max: r(max), step: r(step) };
}

export interface GraphNode {
  readonly id: string;
  readonly name: string | null;
  /** A member of the alert (drawn highlighted). */
  readonly member?: boolean;
}

export interface GraphEdge {
  readonly a: string;
  readonly b: string;
  readonly weight: number;
  readonly rules: readonly string[];
}

/**
 * Firms as nodes (circular layout, deterministic), evidence as edges labelled with the rules and the pair's
 * combined weight; edge width grows with the weight.
 */
export function ringGraphOption(
  nodes: readonly GraphNode[],
  edges: readonly GraphEdge[],
  lang: Lang,
  opts: { title?: string } = {},
): Record<string, unknown> {
  return {
    animation: false,
    ...(opts.title ? { title: { text: opts.title, left: 0, textStyle: { fontSize: 13 } } } : {}),
    tooltip: {},
    series: [
      {
        type: "graph",
        layout: "circular",
        circular: { rotateLabel: false },
        top: opts.title ? 56 : 40,
        bottom: 40,
        left: 90,
        right: 90,
        roam: false,
        symbolSize: nodes.length > 5 ? 30 : 42,
        label: { show: true, position: "bottom", fontSize: 11 },
        edgeLabel: { show: true, fontSize: edges.length > 8 ? 9 : 10, color: "#333" },
        emphasis: { focus: "adjacency", lineStyle: { width: 6 } },
        lineStyle: { color: "#7f8c8d", curveness: 0.08, opacity: 0.9 },
        data: nodes.map((n) => ({
          name: n.id,
          value: n.name ?? n.id,
          itemStyle: { color: n.member === false ? COLORS.nodeOutside : COLORS.node },
          label: { formatter: `${shortName(n.name, n.id, 10)}\n${n.id.slice(-6)}` },
          tooltip: { formatter: `${n.name ?? ""} ${n.id}` },
        })),
        links: edges.map((e) => ({
          source: e.a,
          target: e.b,
          value: e.weight,
          lineStyle: { width: 1 + 5 * Math.max(0, Math.min(1, e.weight)) },
          label: {
            show: true,
            formatter: edgeLabel(e, lang),
          },
          tooltip: { formatter: `${e.rules.join(", ")} · ${e.weight}` },
        })),
      },
    ],
  };
}

/** An edge's label: up to two rule names (and how many more) and the pair's combined weight. */
export function edgeLabel(e: GraphEdge, lang: Lang): string {
  const names = e.rules.map((r) => label(RULE_LABELS, r, lang));
  const shown = names.slice(0, 2).join(" + ") + (names.length > 2 ? ` +${names.length - 2}` : "");
  return `${shown}  ${e.weight.toFixed(2)}`;
}

export interface Histogram {
  /** Bin edges, length bins + 1. */
  readonly edges: readonly number[];
  readonly counts: readonly number[];
  /** Values below the first or above the last edge, counted in the end bins. */
  readonly clipped: number;
}

/**
 * Counts of finite values in `bins` equal-width bins over [min, max] (default: the 1st and 99th
 * percentiles, so a few extreme values do not squash the picture; values outside go to the end bins and are
 * counted in `clipped`). The input is not modified.
 */
export function histogram(
  values: readonly (number | null | undefined)[],
  opts: { bins?: number; min?: number; max?: number } = {},
): Histogram {
  const xs = values.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  const bins = opts.bins ?? 20;
  if (xs.length === 0) return { edges: [], counts: [], clipped: 0 };
  // A typed array sorts numerically without a comparator call per step (−0 lands before 0, which changes
  // nothing below: the two are equal in every comparison and sum).
  const sorted = Float64Array.from(xs).sort();
  const asList = sorted as unknown as readonly number[];
  let lo = opts.min ?? quantileSorted(asList, 0.01);
  let hi = opts.max ?? quantileSorted(asList, 0.99);
  if (!(hi > lo)) {
    lo = (sorted[0] as number) - 0.5;
    hi = (sorted[sorted.length - 1] as number) + 0.5;
  }
  const width = (hi - lo) / bins;
  const counts = new Array<number>(bins).fill(0);
  let clipped = 0;
  for (const x of sorted) {
    if (x < lo || x > hi) clipped++;
    const i = Math.min(bins - 1, Math.max(0, Math.floor((x - lo) / width)));
    counts[i] = (counts[i] as number) + 1;
  }
  const edges = Array.from({ length: bins + 1 }, (_, i) => lo + i * width);
  return { edges, counts, clipped };
}

function fmtEdge(x: number): string {
  const a = Math.abs(x);
  if (a === 0) return "0";
  if (a >= 100) return x.toFixed(0);
  if (a >= 1) return x.toFixed(2);
  return x.toPrecision(2);
}

/** A histogram as a bar chart (bars touching, labelled by bin ranges). */
export function histogramOption(
  h: Histogram,
  opts: { title: string; xName?: string; color?: string },
): Record<string, unknown> {
  return {
    animation: false,
    title: { text: opts.title, left: 0, textStyle: { fontSize: 13 } },
    grid: { left: 48, right: 16, top: 40, bottom: 56 },
    tooltip: { trigger: "axis" },
    xAxis: {
      type: "category",
      name: opts.xName ?? "",
      nameLocation: "middle",
      nameGap: 40,
      data: h.counts.map((_, i) => `${fmtEdge(h.edges[i] as number)}–${fmtEdge(h.edges[i + 1] as number)}`),
      axisLabel: { fontSize: 9, rotate: 40 },
    },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      {
        type: "bar",
        barCategoryGap: "4%",
        itemStyle: { color: opts.color ?? COLORS.bar },
        data: [...h.counts],
      },
    ],
  };
}

/** Horizontal bars for counts by a category, largest first (ties by label). */
export function countBarOption(
  counts: readonly { label: string; count: number }[],
  opts: { title: string; color?: string },
): Record<string, unknown> {
  const rows = [...counts].sort((a, b) => b.count - a.count || (a.label < b.label ? -1 : 1)).reverse();
  return {
    animation: false,
    title: { text: opts.title, left: 0, textStyle: { fontSize: 13 } },
    grid: { left: 120, right: 40, top: 40, bottom: 24 },
    tooltip: { trigger: "axis" },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", data: rows.map((r) => r.label), axisLabel: { fontSize: 11 } },
    series: [
      {
        type: "bar",
        itemStyle: { color: opts.color ?? COLORS.bar },
        label: { show: true, position: "right", fontSize: 11 },
        data: rows.map((r) => r.count),
      },
    ],
  };
}
