/** Writes the outputs of a run (contract §2) into the output folder. */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { listValue } from "@duckdb/node-api";
import { type Db, sqlSection } from "../db/duckdb.ts";
import type { Alert } from "../types.ts";
import { CsvWriter } from "./csv.ts";
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
  await writeFile(join(outDir, "alerts.json"), `${JSON.stringify(alerts, null, 2)}\n`);
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
  const csv = new CsvWriter(join(outDir, "tender_risk.csv"), [
    "tender_id",
    "n_bids",
    "risk_score",
    ...screens.names,
    "top_reasons",
  ]);
  for (const r of risks) {
    const s = screens.values.get(r.tender_id) ?? screens.names.map(() => null);
    await csv.write([r.tender_id, nBids.get(r.tender_id) ?? 0, r.risk_score, ...s, r.top_reasons.join(";")]);
  }
  await csv.close();
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
