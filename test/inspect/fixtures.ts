/** Hand-made tenders, bids, firms, sanctions and a roster for the inspection tests. */
import type { Db } from "../../src/db/duckdb.ts";
import type { Candidate, Inspector } from "../../src/inspect/draw.ts";

/** A candidate with defaults (risk 0, no sanction, not watched). */
export function cand(id: string, over: Partial<Candidate> = {}): Candidate {
  return {
    tender_id: id,
    date: "2025-03-03",
    tenderee_id: "OWNER",
    agency_id: "AGENCY",
    bidders: ["F1", "F2"],
    risk: 0,
    risk_source: "none",
    sanctioned: [],
    watched: [],
    ...over,
  };
}

/** A population of `high` tenders with risk 1 (ids H…) and `low` with risk 0 (ids L…). */
export function population(high: number, low: number): Candidate[] {
  const pad = (i: number) => String(i).padStart(4, "0");
  return [
    ...Array.from({ length: high }, (_, i) => cand(`H${pad(i)}`, { risk: 1, risk_source: "alert" })),
    ...Array.from({ length: low }, (_, i) => cand(`L${pad(i)}`)),
  ];
}

export const ROSTER: Inspector[] = [
  { name: "王一", department: "住建局", certification: "ZJ-001", conflicts: [] },
  { name: "李二", department: "住建局", certification: "ZJ-002", conflicts: ["F1"] },
  { name: "张三", department: "财政局", certification: "CZ-001", conflicts: [] },
  { name: "赵四", department: "财政局", certification: "CZ-002", conflicts: ["OWNER"] },
  { name: "钱五", department: "交通局", certification: "JT-001", conflicts: [] },
  { name: "孙六", department: "水利局", certification: "SL-001", conflicts: ["AGENCY"] },
  { name: "周七", department: "OWNER", certification: "OW-001", conflicts: [] },
];

/**
 * Twenty tenders published in March 2025 (T01–T20, T01–T04 with a high-risk alert, T05 with a sanctioned
 * bidder, T06 with a watched bidder) and one in April (T99, outside the period). Bidders F1…F4.
 */
export async function seedTenders(db: Db): Promise<void> {
  for (let i = 1; i <= 20; i++) {
    const id = `T${String(i).padStart(2, "0")}`;
    await db.exec(
      `INSERT INTO tenders (tender_id, title, tenderee_id, agency_id, published_at)
       VALUES ($id, $title, $owner, 'AGENCY', TIMESTAMPTZ '2025-03-01 09:00:00+08' + to_days($d::INTEGER))`,
      { id, title: `工程 ${id} 联系人电话 13812345678`, owner: i % 2 ? "OWNER" : "OWNER2", d: i },
    );
    for (const [k, firm] of [
      [1, "F1"],
      [2, i % 3 === 0 ? "F3" : "F2"],
    ] as const) {
      await db.exec("INSERT INTO bids (bid_id, tender_id, firm_id, price) VALUES ($bid, $id, $firm, 100)", {
        bid: `${id}-${k}`,
        id,
        firm,
      });
    }
  }
  await db.exec(
    "INSERT INTO tenders (tender_id, title, tenderee_id, agency_id, published_at) VALUES ('T99', 'later', 'OWNER', 'AGENCY', TIMESTAMPTZ '2025-04-02 09:00:00+08')",
  );
  await db.exec("INSERT INTO bids (bid_id, tender_id, firm_id, price) VALUES ('T05-9', 'T05', 'F4', 90)");
  await db.exec("INSERT INTO bids (bid_id, tender_id, firm_id, price) VALUES ('T06-9', 'T06', 'F5', 90)");
  await db.exec(
    "INSERT INTO sanctions (subject_id, subject_type, reason, start_date, end_date) VALUES ('F4', 'firm', '失信', DATE '2025-01-01', DATE '2025-12-31')",
  );
  await db.exec(
    "INSERT INTO watchlist VALUES ('firm', 'F5', 'A-9', 'confirmed', TIMESTAMPTZ '2025-02-01 00:00:00+08', 'analyst')",
  );
}
