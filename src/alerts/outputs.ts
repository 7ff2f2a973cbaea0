/** Writes the outputs of a run (contract §2) into the output folder. */
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { listValue } from "@duckdb/node-api";
import { type Db, sqlSection } from "../db/duckdb.ts";
import type { Alert } from "../types.ts";
import { type Cell, CsvWriter, csvLine } from "./csv.ts";
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
  const csv = new CsvWriter(join(outDir, "alerts.csv"), ALERT_CSV_HEADER);
  for (const a of alerts) {
    await csv.write([
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
    ]);
  }
  await csv.close();
}

/**
 * Writes `${JSON.stringify(items, null, 2)}\n` one item at a time, so the whole text never has to fit in one
 * string (V8 caps a string at about 512 MB; a national export's alerts exceed it). An item's own
 * serialisation is indented one level by prefixing its lines (JSON text has no raw newlines in strings).
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
      for (let i = 0; i < items.length; i++) {
        const text = (JSON.stringify(items[i], null, 2) ?? "null").replaceAll("\n", "\n  ");
        await write(`  ${text}${i < items.length - 1 ? "," : ""}\n`);
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
  await writeCsvRows(
    join(outDir, "tender_risk.csv"),
    header,
    risks.map((r) => {
      const s = screens.values.get(r.tender_id) ?? none;
      return [r.tender_id, nBids.get(r.tender_id) ?? 0, r.risk_score, ...s, r.top_reasons.join(";")];
    }),
  );
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
  const out = createWriteStream(path);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, "drain");
  };
  try {
    await write(`\uFEFF${csvLine(header)}`);
    let batch: string[] = [];
    for (const row of rows) {
      batch.push(csvLine(row));
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

export async function readTenderValues(db: Db): Promise<Map<string, number>> {
  const rows = await db.all<{ tender_id: string; value: number | null }>(q("tender_values"));
  return new Map(rows.map((r) => [r.tender_id, r.value ?? 0]));
}

export async function readFirmNames(db: Db): Promise<Map<string, string>> {
  const rows = await db.all<{ firm_id: string; name: string }>(q("firm_names"));
  return new Map(rows.map((r) => [r.firm_id, r.name]));
}

export async function readBidCounts(db: Db): Promise<Map<string, number>> {
  const rows = await db.all<{ tender_id: string; n_bids: number }>(q("tender_bid_counts"));
  return new Map(rows.map((r) => [r.tender_id, r.n_bids]));
}

export async function readTableCounts(db: Db): Promise<Record<string, number>> {
  const rows = await db.all<{ table_name: string; n: number }>(q("table_counts"));
  return Object.fromEntries(rows.map((r) => [r.table_name, r.n]));
}
