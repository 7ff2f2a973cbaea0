/** Reads shared by the report and the workbench: firm names and where tenders are (region, category). */
import { type Db, sqlSection } from "../db/duckdb.ts";
import { cmpStr } from "../domain/compare.ts";

const q = (name: string) => sqlSection(import.meta.url, "report.sql", name);

export interface TenderPlace {
  readonly tender_id: string;
  readonly region: string | null;
  readonly category: string | null;
}

/** Region and category of the given tenders (tenders not in the database are left out). */
export async function readTenderPlaces(db: Db, ids: readonly string[]): Promise<Map<string, TenderPlace>> {
  if (ids.length === 0) return new Map();
  const rows = await db.all<TenderPlace & Record<string, unknown>>(q("tender_places"), {
    ids: JSON.stringify(ids),
  });
  return new Map(rows.map((r) => [r.tender_id, r]));
}

/**
 * Firm names from the firms table, else the name on the firm's bids; the bids are read only for firms the
 * firms table does not name.
 */
export async function readFirmNames(db: Db, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const listed = await db.all<{ firm_id: string; name: string }>(q("firm_names_listed"), {
    ids: JSON.stringify(ids),
  });
  const names = new Map(listed.map((r) => [r.firm_id, r.name]));
  const missing = ids.filter((id) => !names.has(id));
  if (missing.length === 0) return names;
  const fromBids = await db.all<{ firm_id: string; name: string }>(q("firm_names_from_bids"), {
    ids: JSON.stringify(missing),
  });
  for (const r of fromBids) names.set(r.firm_id, r.name);
  return names;
}

/** The most frequent non-null value (ties: the smallest); null when there is none. */
export function dominant(values: readonly (string | null)[]): string | null {
  const counts = tally(values.filter((v): v is string => v !== null && v !== ""));
  let best: string | null = null;
  let bestN = 0;
  for (const [v, n] of [...counts.entries()].sort((a, b) => cmpStr(a[0], b[0]))) {
    if (n > bestN) {
      best = v;
      bestN = n;
    }
  }
  return best;
}

/** Occurrences of each value. */
export function tally(xs: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
  return m;
}
