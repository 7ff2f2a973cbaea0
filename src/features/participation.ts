/** Who bid in and who won each tender: the firm sets the ring detector reads (src/detectors/rings.ts). */
import { type Db, sqlSection } from "../db/duckdb.ts";
import type { TenderParticipation } from "../detectors/rings.ts";
import type { ProcessTender } from "./process.ts";

const q = (name: string) => sqlSection(import.meta.url, "participation.sql", name);

/**
 * The tenders with bids, in tender id order, with their firms and winners. `proc_tenders` (already read into
 * `processTenders`, in the same order) holds exactly these lists for every listed tender, so they are taken from
 * there instead of aggregating a million bids into lists and moving them into JavaScript a second time. Only when
 * some bid names a tender missing from `tenders` (which proc_tenders cannot show) are they read from `bids`.
 */
export async function readParticipation(
  db: Db,
  processTenders: readonly ProcessTender[],
): Promise<TenderParticipation[]> {
  const check = await db.one<{ unlisted: boolean }>(q("has_unlisted_tenders"));
  if (check?.unlisted) return db.all<TenderParticipation & Record<string, unknown>>(q("participation"));
  return processTenders
    .filter((t) => t.n_bids > 0)
    .map((t) => ({ tender_id: t.tender_id, firms: t.firms, winners: t.winner_firms }));
}
