/**
 * Deliberately unusable bid rows, injected to exercise the ingest's rejects. Each uses a bid key
 * that no good row has: its own bid_id ("X2025-000001"…) and a firm outside the pool (credit codes
 * of individual businesses, "92…", which the pool never uses).
 */
import { DAY, formatTimestamp } from "./calendar.ts";
import { breakUsccCheck, hardwareId, md5Like, oneOffIp, orgCode, uscc } from "./ids.ts";
import { personName, REGIONS } from "./names.ts";
import type { HeaderStyle, Row } from "./render.ts";
import { formatCents } from "./render.ts";
import { Rng } from "./rng.ts";
import { ORG_RANGE, STREAM, type World } from "./scenario.ts";
import type { TenderOut } from "./tender.ts";

export const BAD_ROW_KINDS = [
  "negative_price",
  "non_numeric_price",
  "overflow_price",
  "empty_tender_id",
  "invalid_credit_code",
  "impossible_date",
] as const;
export type BadRowKind = (typeof BAD_ROW_KINDS)[number];

export interface BadRowTruth {
  file: "bids.csv";
  /** 1-based physical line in the file (the header is line 1). */
  line: number;
  kind: BadRowKind;
}

/** The tender after whose bids bad row `j` (of `total`) is written: spread evenly through the file. */
export function badRowSlot(j: number, total: number, tenders: number): number {
  return Math.floor(((j + 0.5) * tenders) / total);
}

/** Bad row `j` (kinds cycle in BAD_ROW_KINDS order), placed among tender `t`'s bids. */
export function badBidRecord(
  world: World,
  t: TenderOut,
  j: number,
  style: HeaderStyle,
): { kind: BadRowKind; row: Row } {
  const kind = BAD_ROW_KINDS[j % BAD_ROW_KINDS.length] as BadRowKind;
  const rng = Rng.from(world.seed, STREAM.badRow, j);
  const region = REGIONS[t.region] as (typeof REGIONS)[number];
  const ghost = uscc("9", "2", region.code, orgCode(ORG_RANGE.ghost + j, world.salt));
  let price = formatCents(Math.round(t.ceilingCents * rng.range(0.85, 0.95)));
  let submitted = formatTimestamp(t.deadline - rng.int(3600, 5 * DAY));
  let tenderId = t.id;
  let firmId = ghost;
  switch (kind) {
    case "negative_price":
      price = `-${price}`;
      break;
    case "non_numeric_price":
      price = "abc";
      break;
    case "overflow_price":
      price = "1e30";
      break;
    case "empty_tender_id":
      tenderId = "";
      break;
    case "invalid_credit_code":
      firmId = breakUsccCheck(ghost);
      break;
    case "impossible_date":
      submitted = "2025-02-30 10:00:00";
      break;
  }
  const author = personName(rng);
  return {
    kind,
    row: {
      tender_id: tenderId,
      firm_id: firmId,
      price,
      bid_id: `X2025-${String(j + 1).padStart(6, "0")}`,
      firm_name: `${region.district}${author}建材经营部`,
      submitted_at: submitted,
      ip: oneOffIp(world.tenders * 16 + j),
      hardware_id: hardwareId(rng),
      file_hash: md5Like(rng),
      file_author: author,
      is_winner: style === "zh" ? "否" : "0",
      disqualified: style === "zh" ? "否" : "0",
    },
  };
}
