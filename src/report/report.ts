/**
 * The nightly report: `out/report.html`, one self-contained file (styles, ECharts and the chart data
 * inlined) that opens offline in any browser. It shows the run's alerts by kind, channel and region, the
 * top alerts, the risk-score distributions, price-screen histograms, the largest rings drawn as graphs and
 * the data-quality numbers (rows rejected and why). Everything comes from the run summary, the run's output
 * folder (alerts.json, tender_risk.csv) and the database; nothing depends on the wall clock.
 */
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ScreenColumns } from "../alerts/outputs.ts";
import { type AlertStatus, listAlerts } from "../alerts/store.ts";
import type { TenderRisk } from "../alerts/tender-risk.ts";
import { type Db, sqlSection } from "../db/duckdb.ts";
import { cmpStr } from "../domain/compare.ts";
import { BidwatchError } from "../errors.ts";
import type { Alert } from "../types.ts";
import { inlineScript, readAsset } from "./assets.ts";
import {
  COLORS,
  countBarOption,
  type GraphEdge,
  histogram,
  histogramOption,
  ringGraphOption,
} from "./charts.ts";
import { dominant, readFirmNames, readTenderPlaces, tally } from "./data.ts";
import { chartBlock, type Html, html, raw } from "./html.ts";
import {
  CATEGORY_LABELS,
  CHANNEL_LABELS,
  formatAmount,
  formatTime,
  KIND_LABELS,
  label,
  RULE_LABELS,
  STATUS_LABELS,
} from "./labels.ts";

const q = (name: string) => sqlSection(import.meta.url, "report.sql", name);

/** The parts of the run summary (pipelines/run.ts `RunSummary`) the report shows. */
export interface ReportSummary {
  readonly started_at: string;
  readonly finished_at: string;
  readonly files: readonly {
    readonly file: string;
    readonly table: string;
    readonly status: string;
    readonly file_id: number;
    readonly read: number;
    readonly loaded: number;
    readonly updated: number;
    readonly rejected: number;
    readonly duplicates: number;
  }[];
  readonly totals: {
    readonly read: number;
    readonly loaded: number;
    readonly updated: number;
    readonly rejected: number;
    readonly duplicates: number;
  };
  readonly tables: Readonly<Record<string, number>>;
  readonly alerts: {
    readonly total: number;
    readonly by_kind: Readonly<Record<string, number>>;
    readonly by_channel: Readonly<Record<string, number>>;
    readonly by_rule: Readonly<Record<string, number>>;
  };
  readonly detection: {
    readonly modularity: number;
    readonly communities: number;
    readonly rings: number;
    readonly hub_thresholds: Readonly<Record<string, number>>;
  };
  readonly delivery: { readonly configured: boolean; readonly delivered: number; readonly pending: number };
  readonly workflow: {
    readonly overdue: readonly { readonly alert_id: string }[];
    readonly audit_head: { readonly seq: number; readonly hash: string };
  };
  readonly warnings: readonly string[];
}

export interface ReportOptions {
  /** Rows in the top-alerts table (default 20). */
  readonly topAlerts?: number;
  /** Ring graphs drawn (default 4): the rings with the most firms, then the highest score. */
  readonly rings?: number;
  /** Regions in the by-region chart (default 15, the rest summed as "other"). */
  readonly regions?: number;
}

const OPTION_KEYS = new Set(["topAlerts", "rings", "regions"]);

export class ReportError extends BidwatchError {
  constructor(message: string) {
    super("E_REPORT", `report: ${message}`);
    this.name = "ReportError";
  }
}

/** Screens drawn as histograms, from tender_risk.csv: column, zh, en. */
export const REPORT_SCREENS: readonly (readonly [string, string, string])[] = [
  ["cv", "变异系数 CV", "coefficient of variation"],
  ["spread", "极差率 spread", "relative spread"],
  ["rd", "相对距离 RD", "relative distance"],
  ["gap_cv", "报价间隔变异系数", "gap CV"],
  ["sub3_cv_min", "三家子集最小CV", "min CV of 3-bid subsets"],
  ["bid_ceiling_ratio", "报价/最高限价", "bid / ceiling"],
  ["kurtosis", "峰度", "kurtosis"],
  ["skewness", "偏度", "skewness"],
];

interface TenderRow {
  readonly tender_id: string;
  readonly risk_score: number | null;
  readonly [screen: string]: number | string | null;
}

/**
 * What a run that has just written its outputs still holds in memory: the report uses it instead of reading
 * alerts.json and tender_risk.csv back, and gets the same values (`asWritten` and `tenderColumnsAsWritten`
 * apply what the JSON and CSV round trips do to them).
 */
export interface ReportRunData {
  /** The alerts written to alerts.json. */
  readonly alerts: readonly Alert[];
  /** What tender_risk.csv was written from (outputs.ts `writeTenderRisk`). */
  readonly risks: readonly TenderRisk[];
  readonly screens: ScreenColumns;
}

/** Writes `report.html` into `outDir` and returns its path. */
export async function writeReport(
  db: Db,
  summary: ReportSummary,
  outDir: string,
  options: ReportOptions = {},
  run?: ReportRunData,
): Promise<string> {
  const text = await buildReport(db, summary, outDir, options, run);
  const path = join(outDir, "report.html");
  await writeFile(path, text, "utf8");
  return path;
}

/** The report's HTML text (see `writeReport`). */
export async function buildReport(
  db: Db,
  summary: ReportSummary,
  outDir: string,
  options: ReportOptions = {},
  run?: ReportRunData,
): Promise<string> {
  for (const k of Object.keys(options)) {
    if (!OPTION_KEYS.has(k)) throw new ReportError(`unknown report option "${k}"`);
  }
  const topN = options.topAlerts ?? 20;
  const nRings = options.rings ?? 4;
  const nRegions = options.regions ?? 15;

  // The run's alerts: alerts.json of the run when it is there (or what it was written from), else the open
  // alerts of the store.
  const alertsPath = join(outDir, "alerts.json");
  const fromFile = run !== undefined || existsSync(alertsPath);
  const runAlerts: readonly Alert[] = run
    ? run.alerts.map(asWritten)
    : fromFile
      ? (JSON.parse(await readFile(alertsPath, "utf8")) as Alert[])
      : await listAlerts(db, { open: true });
  const alerts = [...runAlerts].sort(
    (a, b) => a.rank - b.rank || b.score - a.score || b.amount - a.amount || cmpStr(a.id, b.id),
  );

  const tenderIds = [...new Set(alerts.flatMap((a) => a.tenders))].sort(cmpStr);
  const places = await readTenderPlaces(db, tenderIds);
  const regionOf = (a: Alert) => dominant(a.tenders.map((t) => places.get(t)?.region ?? null));
  const categoryOf = (a: Alert) => dominant(a.tenders.map((t) => places.get(t)?.category ?? null));

  const rings = alerts
    .filter((a) => a.kind === "ring")
    .sort((a, b) => b.firms.length - a.firms.length || b.score - a.score || cmpStr(a.id, b.id))
    .slice(0, nRings)
    .map((a) => (run ? { ...a, evidence: JSON.parse(JSON.stringify(a.evidence)) as Alert["evidence"] } : a));
  const top = alerts.slice(0, topN);
  // Workflow state is shown for the top alerts only.
  const statuses = new Map<string, AlertStatus>(
    top.length
      ? (
          await db.all<{ id: string; status: AlertStatus }>(q("alert_statuses"), {
            ids: JSON.stringify(top.map((a) => a.id)),
          })
        ).map((r) => [r.id, r.status])
      : [],
  );
  const firmIds = [...new Set([...top, ...rings].flatMap((a) => a.firms))].sort(cmpStr);
  const names = await readFirmNames(db, firmIds);

  const riskPath = join(outDir, "tender_risk.csv");
  const tenders: TenderColumns = run
    ? tenderColumnsAsWritten(run.risks, run.screens)
    : toColumns(
        existsSync(riskPath)
          ? await db.all<TenderRow & Record<string, unknown>>(q("tender_risk_csv"), { path: riskPath })
          : await readScreensTable(db),
      );

  const rejects = await db.all<{ table_name: string; reason: string; n: number }>(q("rejects_by_reason"), {
    file_ids: JSON.stringify(summary.files.map((f) => f.file_id)),
  });

  // ---- charts -------------------------------------------------------------------------------------------
  const byKind = Object.entries(summary.alerts.by_kind).map(([k, n]) => ({
    label: `${label(KIND_LABELS, k, "zh")} ${k}`,
    count: n,
  }));
  const byChannel = Object.entries(summary.alerts.by_channel).map(([k, n]) => ({
    label: label(CHANNEL_LABELS, k, "zh"),
    count: n,
  }));
  const regionCounts = tally(alerts.map((a) => regionOf(a) ?? "—"));
  const regionRows = [...regionCounts.entries()].sort((a, b) => b[1] - a[1] || cmpStr(a[0], b[0]));
  const byRegion = regionRows.slice(0, nRegions).map(([k, n]) => ({ label: k, count: n }));
  const rest = regionRows.slice(nRegions).reduce((s, [, n]) => s + n, 0);
  if (rest > 0) byRegion.push({ label: "其他 other", count: rest });
  const byRule = Object.entries(summary.alerts.by_rule).map(([k, n]) => ({
    label: label(RULE_LABELS, k, "zh"),
    count: n,
  }));

  const scoreHist = histogram(
    alerts.map((a) => a.score),
    { bins: 10, min: 0, max: 1 },
  );
  const riskValues = tenders.risk_score.filter((v): v is number => typeof v === "number");
  const riskHist = histogram(riskValues, { bins: 20, min: 0, max: 1 });

  const charts: Html[] = [];
  const chart = (id: string, option: unknown, height = 300) => chartBlock(id, option, { height });

  const ringBlocks = rings.map((r, i) => {
    const edges = ringEdges(r);
    return html`<div class="card">
  ${chart(
    `ring-${i + 1}`,
    ringGraphOption(
      r.firms.map((f) => ({ id: f, name: names.get(f) ?? null })),
      edges,
      "zh",
      { title: `${r.id} · ${r.firms.length} 家企业 · score ${r.score.toFixed(2)}` },
    ),
    ringHeight(r.firms.length),
  )}
  <p class="small">${clip(r.summary_zh, 240)}</p>
</div>`;
  });

  charts.push(
    chart(
      "by-kind",
      countBarOption(byKind, { title: "按类型 / by kind" }),
      Math.max(180, 60 + 30 * byKind.length),
    ),
    chart(
      "by-channel",
      countBarOption(byChannel, { title: "按移交渠道 / by channel", color: "#8e44ad" }),
      Math.max(180, 60 + 30 * byChannel.length),
    ),
    chart(
      "by-region",
      countBarOption(byRegion, { title: "按地区（标段所在地）/ by region", color: "#16a085" }),
      Math.max(180, 60 + 24 * byRegion.length),
    ),
    chart(
      "by-rule",
      countBarOption(byRule, { title: "按规则（线索数）/ findings by rule", color: "#7f8c8d" }),
      Math.max(180, 60 + 22 * byRule.length),
    ),
    chart(
      "alert-scores",
      histogramOption(scoreHist, {
        title: "预警风险分分布 / alert scores",
        xName: "score",
        color: COLORS.winner,
      }),
    ),
  );
  if (riskValues.length) {
    charts.push(
      chart(
        "tender-risk",
        histogramOption(riskHist, {
          title: `标段风险分分布 / tender risk (${riskValues.length})`,
          xName: "risk",
          color: COLORS.alertFirm,
        }),
      ),
    );
  }
  const screenCharts = REPORT_SCREENS.map(([col, zh, en]) => {
    const values = (tenders.screens.get(col) ?? []).filter((v): v is number => typeof v === "number");
    const h = histogram(values, { bins: 20 });
    return chart(
      `screen-${col}`,
      histogramOption(h, {
        title: `${zh} / ${en} (n=${values.length}${h.clipped ? `, ${h.clipped} 超出1–99%分位` : ""})`,
        xName: col,
      }),
      260,
    );
  });

  // ---- tables -------------------------------------------------------------------------------------------
  const overdue = new Set(summary.workflow.overdue.map((o) => o.alert_id));
  const topRows = top.map((a) => {
    const status = statuses.get(a.id);
    const region = regionOf(a);
    const category = categoryOf(a);
    return html`<tr class="${overdue.has(a.id) ? "overdue" : ""}">
  <td class="num">${a.rank}</td>
  <td class="id">${a.id}</td>
  <td><span class="badge kind-${a.kind}">${label(KIND_LABELS, a.kind, "zh")}</span></td>
  <td class="num">${a.score.toFixed(2)}</td>
  <td>${status ? html`<span class="badge status-${status}">${label(STATUS_LABELS, status, "zh")}</span>` : "—"}</td>
  <td>${a.firms
    .slice(0, 6)
    .map((f) => names.get(f) ?? f)
    .join("、")}${a.firms.length > 6 ? ` 等 ${a.firms.length} 家` : ""}</td>
  <td>${region ?? "—"}${category ? ` · ${label(CATEGORY_LABELS, category, "zh")}` : ""}</td>
  <td class="num">${formatAmount(a.amount, "zh")}</td>
  <td>${a.channels.map((c) => label(CHANNEL_LABELS, c, "zh")).join("、")}</td>
  <td class="small">${clip(a.summary_zh, 160)}<br /><span class="muted">${clip(a.summary_en, 200)}</span></td>
</tr>`;
  });

  const fileRows = summary.files.map(
    (f) => html`<tr>
  <td>${f.file}</td><td>${f.table}</td><td>${f.status}</td>
  <td class="num">${f.read}</td><td class="num">${f.loaded}</td><td class="num">${f.updated}</td>
  <td class="num">${f.rejected}</td><td class="num">${f.duplicates}</td>
</tr>`,
  );
  const rejectRows = rejects.map(
    (r) => html`<tr><td>${r.table_name}</td><td>${r.reason}</td><td class="num">${r.n}</td></tr>`,
  );
  const rejectChart = rejects.length
    ? chart(
        "rejects",
        countBarOption(
          rejects
            .slice(0, 12)
            .map((r) => ({ label: `${r.table_name}: ${r.reason.slice(0, 24)}`, count: r.n })),
          { title: "拒收原因 / rows rejected by reason", color: COLORS.winner },
        ),
        Math.max(180, 60 + 26 * Math.min(12, rejects.length)),
      )
    : html``;

  const kpi = (v: number | string, zh: string, en: string) =>
    html`<div class="kpi"><div class="v">${v}</div><div class="k">${zh} / ${en}</div></div>`;
  const t = summary.totals;

  const body = html`<header class="top"><span class="brand">bidwatch 围标串标预警 · 每晚运行报告</span>
  <span class="spacer"></span><span>Nightly run report</span></header>
<main>
  <h1>运行报告 Run report</h1>
  <p class="muted">开始 started ${formatTime(new Date(summary.started_at))} · 完成 finished
    ${formatTime(new Date(summary.finished_at))}（北京时间 Asia/Shanghai）${fromFile ? "" : " · 预警取自预警库（未找到 alerts.json）"}</p>
  <div class="kpis">
    ${kpi(summary.alerts.total, "预警", "alerts")}
    ${kpi(summary.alerts.by_kind.ring ?? 0, "疑似团伙", "rings")}
    ${kpi(overdue.size, "逾期移交", "overdue referrals")}
    ${kpi(summary.tables.tenders ?? 0, "标段（累计）", "tenders in store")}
    ${kpi(summary.tables.bids ?? 0, "投标（累计）", "bids in store")}
    ${kpi(t.read, "本批读取行", "rows read")}
    ${kpi(t.rejected, "拒收行", "rows rejected")}
    ${kpi(summary.delivery.pending, "待投递", "deliveries pending")}
  </div>
  ${
    summary.warnings.length
      ? html`<div class="flash error"><strong>注意 Warnings</strong><ul>${summary.warnings.map((w) => html`<li>${w}</li>`)}</ul></div>`
      : ""
  }
  <h2>预警概况 Alerts</h2>
  <div class="charts">${charts}</div>
  <h2>风险最高的预警 Top alerts</h2>
  <table class="grid">
    <thead><tr><th class="num">排名</th><th>编号</th><th>类型</th><th class="num">风险分</th><th>状态</th>
      <th>企业</th><th>地区·类别</th><th class="num">涉及金额</th><th>建议渠道</th><th>摘要 Summary</th></tr></thead>
    <tbody>${topRows}</tbody>
  </table>
  <h2>最大的疑似团伙 Largest rings</h2>
  ${ringBlocks.length ? html`<div class="charts wide">${ringBlocks}</div>` : html`<p class="muted">本次运行未发现团伙 / no rings in this run.</p>`}
  <h2>报价统计指标分布 Price screens (${tenders.count} 个标段 tenders)</h2>
  <div class="charts">${screenCharts}</div>
  <h2>数据质量 Data quality</h2>
  <p>读取 read ${t.read} · 入库 loaded ${t.loaded} · 更新 updated ${t.updated} · 重复 duplicates ${t.duplicates}
    · <strong>拒收 rejected ${t.rejected}</strong>（明细见 rejects.csv / details in rejects.csv）</p>
  <table class="grid">
    <thead><tr><th>文件 file</th><th>表 table</th><th>状态 status</th><th class="num">读取</th><th class="num">入库</th>
      <th class="num">更新</th><th class="num">拒收</th><th class="num">重复</th></tr></thead>
    <tbody>${fileRows}</tbody>
  </table>
  ${
    rejects.length
      ? html`<div class="charts" style="margin-top:12px">${rejectChart}<table class="grid">
    <thead><tr><th>表 table</th><th>原因 reason</th><th class="num">行数 rows</th></tr></thead>
    <tbody>${rejectRows}</tbody></table></div>`
      : html`<p class="muted">无拒收行 / no rows rejected.</p>`
  }
  <h2>运行参数 Detection</h2>
  <p class="small">Louvain modularity ${summary.detection.modularity} · communities ${summary.detection.communities}
    · rings ${summary.detection.rings} · hub thresholds ${Object.entries(summary.detection.hub_thresholds)
      .map(([k, v]) => `${k}≤${v}`)
      .join(", ")}</p>
  <p class="small mono">audit head #${summary.workflow.audit_head.seq} ${summary.workflow.audit_head.hash}</p>
</main>`;

  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<title>bidwatch 每晚运行报告 ${formatTime(new Date(summary.finished_at))}</title>
<style>${readAsset("style.css")}</style>
</head>
<body>
${body}
<script>${raw(inlineScript(readAsset("echarts.min.js")))}</script>
<script>${raw(inlineScript(readAsset("charts.js")))}</script>
</body>
</html>
`;
}

/**
 * An alert as read back from alerts.json, for the fields the report reads outside the evidence (the
 * evidence of the rings drawn goes through JSON itself): numbers that JSON cannot hold become null, −0
 * becomes 0. Strings and lists of strings come back as they were.
 */
function asWritten(a: Alert): Alert {
  return { ...a, rank: jsonNumber(a.rank), score: jsonNumber(a.score), amount: jsonNumber(a.amount) };
}

function jsonNumber(x: number): number {
  return (Number.isFinite(x) ? x + 0 : null) as number;
}

/** The per-tender values the report draws: risk scores and the REPORT_SCREENS columns, one list each. */
interface TenderColumns {
  readonly count: number;
  readonly risk_score: readonly unknown[];
  readonly screens: ReadonlyMap<string, readonly unknown[]>;
}

function toColumns(rows: readonly TenderRow[]): TenderColumns {
  return {
    count: rows.length,
    risk_score: rows.map((t) => t.risk_score),
    screens: new Map(REPORT_SCREENS.map(([col]) => [col, rows.map((t) => t[col])])),
  };
}

/**
 * tender_risk.csv's columns as the report reads them (`tender_risk_csv` in report.sql): the CSV writes a
 * finite number as String(x), which reads back as the same double, and anything else as an empty cell (NULL).
 */
function tenderColumnsAsWritten(risks: readonly TenderRisk[], screens: ScreenColumns): TenderColumns {
  const index = new Map(screens.names.map((n, i) => [n, i]));
  const cell = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v + 0 : null);
  const cols = REPORT_SCREENS.map(([col]) => {
    const i = index.get(col);
    if (i === undefined) throw new ReportError(`tender_risk.csv has no column "${col}"`);
    return { col, i, values: [] as (number | null)[] };
  });
  for (const r of risks) {
    const values = screens.values.get(r.tender_id);
    for (const c of cols) c.values.push(cell(values?.[c.i]));
  }
  return {
    count: risks.length,
    risk_score: risks.map((r) => cell(r.risk_score)),
    screens: new Map(cols.map((c) => [c.col, c.values])),
  };
}

async function readScreensTable(db: Db): Promise<TenderRow[]> {
  const exists = await db.one<{ n: number }>(
    "SELECT count(*)::INTEGER AS n FROM information_schema.tables WHERE table_name = 'tender_screens'",
  );
  if (!exists?.n) return [];
  return db.all<TenderRow & Record<string, unknown>>(q("tender_screens_table"));
}

/** The ring's evidence edges (facts.edges of its RING evidence); empty for other alerts. */
export function ringEdges(alert: Pick<Alert, "evidence">): GraphEdge[] {
  const out: GraphEdge[] = [];
  for (const e of alert.evidence) {
    if (e.rule !== "RING") continue;
    const edges = (e.facts as { edges?: unknown }).edges;
    if (!Array.isArray(edges)) continue;
    for (const x of edges as { a?: unknown; b?: unknown; weight?: unknown; rules?: unknown }[]) {
      if (typeof x.a !== "string" || typeof x.b !== "string") continue;
      out.push({
        a: x.a,
        b: x.b,
        weight: typeof x.weight === "number" ? x.weight : 0,
        rules: Array.isArray(x.rules) ? x.rules.filter((r): r is string => typeof r === "string") : [],
      });
    }
  }
  return out;
}

/** Height of a ring graph: room for the labels of bigger rings. */
export function ringHeight(firms: number): number {
  return Math.min(720, 340 + 40 * Math.max(0, firms - 3));
}

/** At most `n` characters, with an ellipsis when cut. */
export function clip(s: string, n: number): string {
  const chars = [...s];
  return chars.length > n ? `${chars.slice(0, n).join("")}…` : s;
}
