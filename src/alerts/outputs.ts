/** Writes the outputs of a run (contract §2) into the output folder. */
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { listValue } from "@duckdb/node-api";
import { type Db, sqlSection } from "../db/duckdb.ts";
import type { Alert } from "../types.ts";
import { type Cell, CsvWriter, csvCell, csvLine } from "./csv.ts";
import type { TenderSide } from "./routing.ts";
import type { TenderRisk } from "./tender-risk.ts";

const q = (name: string) => sqlSection(import.meta.url, "outputs.sql", name);

export const ALERT_CSV_HEADER = [
  "rank",
  "id",
  "score",
  "kind",
  "firms",
  "tenders",
  "amount",
  "channels",
  "rules",
  "summary_zh",
  "summary_en",
] as const;

export async function writeAlerts(outDir: string, alerts: readonly Alert[]): Promise<void> {
  await mkdir(outDir, { recursive: true });
  await writeJsonArray(join(outDir, "alerts.json"), alerts);
  await writeCsvRows(join(outDir, "alerts.csv"), ALERT_CSV_HEADER, alertCsvRows(alerts));
}

function* alertCsvRows(alerts: readonly Alert[]): Generator<Cell[]> {
  for (const a of alerts) {
    yield [
      a.rank,
      a.id,
      a.score,
      a.kind,
      a.firms.join(";"),
      a.tenders.join(";"),
      a.amount,
      a.channels.join(";"),
      [...new Set(a.evidence.map((e) => e.rule))].join(";"),
      a.summary_zh,
      a.summary_en,
    ];
  }
}

/** Items per JSON.stringify call in `writeJsonArray`. */
const JSON_CHUNK = 256;

/**
 * Writes `${JSON.stringify(items, null, 2)}\n` a chunk of items at a time, so the whole text never has to
 * fit in one string (V8 caps a string at about 512 MB; a national export's alerts exceed it). A chunk's
 * own serialisation `[\n  item,\n  item\n]` holds its items exactly as the whole array's would (same
 * depth, same indentation): its brackets are cut off and the chunks joined with commas.
 */
export async function writeJsonArray(path: string, items: readonly unknown[]): Promise<void> {
  const out = createWriteStream(path);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, "drain");
  };
  try {
    if (items.length === 0) {
      await write("[]\n");
    } else {
      await write("[\n");
      for (let i = 0; i < items.length; i += JSON_CHUNK) {
        const text = JSON.stringify(items.slice(i, i + JSON_CHUNK), null, 2);
        await write(`${text.slice(2, -2)}${i + JSON_CHUNK < items.length ? "," : ""}\n`);
      }
      await write("]\n");
    }
  } finally {
    out.end();
    await once(out, "finish");
  }
}

export interface ScreenColumns {
  readonly names: readonly string[];
  readonly values: ReadonlyMap<string, readonly (number | null)[]>;
}

export async function writeTenderRisk(
  outDir: string,
  risks: readonly TenderRisk[],
  nBids: ReadonlyMap<string, number>,
  screens: ScreenColumns,
): Promise<void> {
  const header = ["tender_id", "n_bids", "risk_score", ...screens.names, "top_reasons"];
  const none = screens.names.map(() => null);
  await writeCsvLines(join(outDir, "tender_risk.csv"), header, tenderRiskLines(risks, nBids, screens, none));
}

/** tender_risk.csv's lines: `csvLine` of each row, made cell by cell (one row per tender). */
function* tenderRiskLines(
  risks: readonly TenderRisk[],
  nBids: ReadonlyMap<string, number>,
  screens: ScreenColumns,
  none: readonly null[],
): Generator<string> {
  for (const r of risks) {
    let line = `${csvCell(r.tender_id)},${csvCell(nBids.get(r.tender_id) ?? 0)},${csvCell(r.risk_score)}`;
    for (const v of screens.values.get(r.tender_id) ?? none) line += `,${csvCell(v)}`;
    yield `${line},${csvCell(r.top_reasons.join(";"))}\r\n`;
  }
}

/** Rows per write in `writeCsvRows`. */
const CSV_BATCH = 2000;

/**
 * The bytes `CsvWriter` writes (BOM, header, rows), with rows joined into batches: a write per row costs
 * more than formatting it when there is one row per tender.
 */
export async function writeCsvRows(
  path: string,
  header: readonly string[],
  rows: Iterable<readonly Cell[]>,
): Promise<void> {
  await writeCsvLines(path, header, csvLines(rows));
}

function* csvLines(rows: Iterable<readonly Cell[]>): Generator<string> {
  for (const row of rows) yield csvLine(row);
}

/** `writeCsvRows` for lines already formatted (`csvLine` text, CRLF included). */
async function writeCsvLines(
  path: string,
  header: readonly string[],
  lines: Iterable<string>,
): Promise<void> {
  const out = createWriteStream(path);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, "drain");
  };
  try {
    await write(`\uFEFF${csvLine(header)}`);
    let batch: string[] = [];
    for (const line of lines) {
      batch.push(line);
      if (batch.length >= CSV_BATCH) {
        await write(batch.join(""));
        batch = [];
      }
    }
    if (batch.length > 0) await write(batch.join(""));
  } finally {
    out.end();
    await once(out, "finish");
  }
}

export async function writeRejects(db: Db, outDir: string, fileIds: readonly number[]): Promise<number> {
  const rows = await db.all<{
    file: string;
    line: number | null;
    table_name: string;
    reason: string;
    raw: string | null;
  }>(q("run_rejects"), { file_ids: listValue([...fileIds]) });
  const csv = new CsvWriter(join(outDir, "rejects.csv"), ["file", "line", "table", "reason", "raw"]);
  for (const r of rows) await csv.write([r.file, r.line, r.table_name, r.reason, r.raw]);
  await csv.close();
  return rows.length;
}

/** Per tender: value at stake, tender side and bid count, read together (`readTenderFacts`). */
export interface TenderFacts {
  /** Award value per tender (as `readTenderValues`). */
  readonly value: Map<string, number>;
  /** Category, tenderee and agency per tender (as routing's `tender_sides`). */
  readonly sides: Map<string, TenderSide>;
  /** Bids per tender (as `readBidCounts`; tenders without bids have 0). */
  readonly nBids: Map<string, number>;
}

/** `readTenderValues`, the tender sides of `readRoutingContext` and `readBidCounts` in one query. */
export async function readTenderFacts(db: Db): Promise<TenderFacts> {
  const row = await db.one<{ tenders: string }>(q("tender_facts"));
  const rows = JSON.parse(row?.tenders ?? "[]") as (TenderSide & {
    tender_id: string;
    value: number | null;
    n_bids: number;
  })[];
  const value = new Map<string, number>();
  const sides = new Map<string, TenderSide>();
  const nBids = new Map<string, number>();
  for (const r of rows) {
    value.set(r.tender_id, r.value ?? 0);
    sides.set(r.tender_id, { category: r.category, tenderee_id: r.tenderee_id, agency_id: r.agency_id });
    nBids.set(r.tender_id, r.n_bids);
  }
  return { value, sides, nBids };
}

export async function readTenderValues(db: Db): Promise<Map<string, number>> {
  const rows = await db.all<{ tender_id: string; value: number | null }>(q("tender_values"));
  return new Map(rows.map((r) => [r.tender_id, r.value ?? 0]));
}

export async function readBidCounts(db: Db): Promise<Map<string, number>> {
  const rows = await db.all<{ tender_id: string; n_bids: number }>(q("tender_bid_counts"));
  return new Map(rows.map((r) => [r.tender_id, r.n_bids]));
}

export async function readTableCounts(db: Db): Promise<Record<string, number>> {
  const rows = await db.all<{ table_name: string; n: number }>(q("table_counts"));
  return Object.fromEntries(rows.map((r) => [r.table_name, r.n]));
}
