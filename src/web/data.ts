/** Tender and bid reads behind the alert page (bids against the ceiling price). */
import { type Db, sqlSection } from "../db/duckdb.ts";
import type { BidPoint, TenderForChart } from "../report/charts.ts";

const q = (name: string) => sqlSection(import.meta.url, "data.sql", name);

export interface TenderInfo extends TenderForChart {
  readonly region: string | null;
  readonly category: string | null;
  readonly method: string | null;
  readonly tenderee_id: string | null;
  readonly agency_id: string | null;
  readonly award_price: number | null;
  readonly published_at: Date | null;
  readonly bid_deadline: Date | null;
}

export interface BidInfo extends BidPoint {
  readonly tender_id: string;
  readonly bid_id: string;
  readonly disqualify_reason: string | null;
  readonly submitted_at: Date | null;
}

export async function readTenders(db: Db, ids: readonly string[]): Promise<TenderInfo[]> {
  if (ids.length === 0) return [];
  return db.all<TenderInfo & Record<string, unknown>>(q("tenders"), { ids: JSON.stringify(ids) });
}

/** Bids of the given tenders, grouped by tender, cheapest first. */
export async function readBids(db: Db, ids: readonly string[]): Promise<Map<string, BidInfo[]>> {
  const out = new Map<string, BidInfo[]>();
  if (ids.length === 0) return out;
  for (const b of await db.all<BidInfo & Record<string, unknown>>(q("bids"), { ids: JSON.stringify(ids) })) {
    const list = out.get(b.tender_id);
    if (list) list.push(b);
    else out.set(b.tender_id, [b]);
  }
  return out;
}
