import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { listValue } from "@duckdb/node-api";
import { sampleKurtosis, sampleSkewness, sampleStandardDeviation } from "simple-statistics";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Db, ident } from "../../src/db/duckdb.ts";
import { mulberry32 } from "../../src/domain/seeded.ts";
import {
  computeScreens,
  readTenderScreens,
  SUBSET_SCREEN_COLUMNS,
  TENDER_SCREEN_COLUMNS,
  type TenderScreens,
} from "../../src/features/screens.ts";

type Bid = readonly [tender: string, price: number, winner?: boolean, ceiling?: number | null];

async function screensOf(db: Db, bids: readonly Bid[]): Promise<Map<string, TenderScreens>> {
  await db.exec(
    "CREATE OR REPLACE TABLE screen_bids (tender_id VARCHAR, price DOUBLE, is_winner BOOLEAN, ceiling_price DOUBLE)",
  );
  for (const [tender, price, winner = false, ceiling = null] of bids) {
    await db.exec("INSERT INTO screen_bids VALUES ($1, $2, $3, $4)", [tender, price, winner, ceiling]);
  }
  await computeScreens(db);
  return new Map((await readTenderScreens(db)).map((r) => [r.tender_id, r]));
}

function get(m: Map<string, TenderScreens>, id: string): TenderScreens {
  const row = m.get(id);
  if (!row) throw new Error(`no screens for tender ${id}`);
  return row;
}

const ALL_SCREEN_COLUMNS = [...TENDER_SCREEN_COLUMNS, ...SUBSET_SCREEN_COLUMNS];

describe("computeScreens: hand-computed tenders", () => {
  let db: Db;
  beforeEach(async () => {
    db = await Db.open();
  });
  afterEach(() => db.close());

  it("evenly spaced bids 100, 101, 102, 103", async () => {
    const s = get(
      await screensOf(db, [
        ["T", 101, true, 200],
        ["T", 100],
        ["T", 103],
        ["T", 102],
      ]),
      "T",
    );
    expect(s.n_bids).toBe(4);
    expect(s.mean_price).toBeCloseTo(101.5, 12);
    expect(s.min_price).toBe(100);
    expect(s.max_price).toBe(103);
    // sd = sqrt(5/3); CV = sd / mean
    expect(s.cv).toBeCloseTo(Math.sqrt(5 / 3) / 101.5, 12);
    expect(s.spd).toBeCloseTo(0.03, 12);
    expect(s.diffp).toBeCloseTo(0.01, 12);
    // RD: (101 − 100) / sd(100, 101, 102) = 1; RD over losing bids: 1 / sd(101, 102, 103) = 1
    expect(s.rd).toBeCloseTo(1, 12);
    expect(s.rd_losing).toBeCloseTo(1, 12);
    // RDNOR: (b2 − b1) / ((b4 − b2) / (n − 2)) = 1 / (2 / 2)
    expect(s.rdnor).toBeCloseTo(1, 12);
    // symmetric: skew 0; m2 = 1.25, m4 = 2.5625 → G2 = 3/2 · (5 · (1.64 − 3) + 6) = −1.2
    expect(s.skew).toBeCloseTo(0, 12);
    expect(s.kurt).toBeCloseTo(-1.2, 12);
    // u = 0, 1/3, 2/3, 1 → D = 1/4
    expect(s.ks).toBeCloseTo(0.25, 12);
    expect(s.n_identical).toBe(0);
    expect(s.gap_cv).toBe(0);
    const ratios = [1 / 100, 1 / 101, 1 / 102];
    expect(s.ratio_cv).toBeCloseTo(
      sampleStandardDeviation(ratios) / (ratios.reduce((a, b) => a + b) / 3),
      12,
    );
    expect(s.bid_ceiling_ratio).toBeCloseTo(101.5 / 200, 12);
    expect(s.min_ceiling_ratio).toBeCloseTo(0.5, 12);
    // windows of 3: (100, 101, 102) and (101, 102, 103): sd 1 each
    expect(s.sub3_cv_min).toBeCloseTo(1 / 102, 12);
    expect(s.sub3_cv_max).toBeCloseTo(1 / 101, 12);
    expect(s.sub3_cv_med).toBeCloseTo((1 / 101 + 1 / 102) / 2, 12);
    expect(s.sub3_spd_min).toBeCloseTo(2 / 101, 12);
    expect(s.sub3_spd_max).toBeCloseTo(0.02, 12);
    expect(s.sub3_diffp_max).toBeCloseTo(0.01, 12);
    // subset RD uses the subset's losing bids: 1 / sd(two bids 1 apart) = √2
    expect(s.sub3_rd_min).toBeCloseTo(Math.SQRT2, 12);
    expect(s.sub3_rd_max).toBeCloseTo(Math.SQRT2, 12);
    // the only window of 4 is the tender itself
    expect(s.sub4_cv_min).toBeCloseTo(s.cv ?? Number.NaN, 12);
    expect(s.sub4_spd_med).toBeCloseTo(0.03, 12);
    expect(s.sub4_rd_max).toBeCloseTo(1, 12);
  });

  it("one bid: only counts and prices, every screen NULL", async () => {
    const s = get(await screensOf(db, [["ONE", 500, true, 600]]), "ONE");
    expect(s.n_bids).toBe(1);
    expect(s.mean_price).toBe(500);
    expect(s.n_identical).toBe(0);
    expect(s.bid_ceiling_ratio).toBeCloseTo(500 / 600, 12);
    for (const c of ALL_SCREEN_COLUMNS) {
      if (c === "n_identical" || c === "bid_ceiling_ratio" || c === "min_ceiling_ratio") continue;
      expect(s[c], c).toBeNull();
    }
  });

  it("two bids: CV, SPD, DIFFP, KS defined; RD, moments, gap screens and subsets NULL", async () => {
    const s = get(
      await screensOf(db, [
        ["TWO", 100, true],
        ["TWO", 110],
      ]),
      "TWO",
    );
    expect(s.cv).toBeCloseTo(10 / Math.SQRT2 / 105, 12);
    expect(s.spd).toBeCloseTo(0.1, 12);
    expect(s.diffp).toBeCloseTo(0.1, 12);
    expect(s.ks).toBeCloseTo(0.5, 12);
    for (const c of ["rd", "rd_losing", "rdnor", "kurt", "skew", "gap_cv", "ratio_cv"] as const) {
      expect(s[c], c).toBeNull();
    }
    for (const c of SUBSET_SCREEN_COLUMNS) expect(s[c], c).toBeNull();
  });

  it("identical prices: CV, SPD and DIFFP are 0 (the red flag), shape screens NULL", async () => {
    const s = get(
      await screensOf(db, [
        ["SAME", 250],
        ["SAME", 250],
        ["SAME", 250],
        ["SAME", 250],
      ]),
      "SAME",
    );
    expect(s.cv).toBe(0);
    expect(s.spd).toBe(0);
    expect(s.diffp).toBe(0);
    expect(s.n_identical).toBe(4);
    expect(s.sub3_cv_min).toBe(0);
    expect(s.sub4_spd_max).toBe(0);
    for (const c of ["rd", "rd_losing", "rdnor", "kurt", "skew", "ks", "gap_cv", "ratio_cv"] as const) {
      expect(s[c], c).toBeNull();
    }
    expect(s.sub3_rd_min).toBeNull();
  });

  it("zero spread among the reference bids makes RD NULL, not Infinity", async () => {
    const s = get(
      await screensOf(db, [
        ["Z", 100],
        ["Z", 110],
        ["Z", 110],
      ]),
      "Z",
    );
    expect(s.n_identical).toBe(2);
    // RD's reference set (bids below the maximum) is {100}: no sd; losing bids {110, 110}: sd 0
    expect(s.rd).toBeNull();
    expect(s.rd_losing).toBeNull();
    expect(s.rdnor).toBeNull();
    expect(s.diffp).toBeCloseTo(0.1, 12);
    expect(s.gap_cv).toBeCloseTo(Math.SQRT2, 12); // gaps 10, 0
  });

  it("ties at the bottom: DIFFP and RD use the next distinct price, as the published screens do", async () => {
    const s = get(
      await screensOf(db, [
        ["TIE", 100],
        ["TIE", 100],
        ["TIE", 104],
        ["TIE", 108],
        ["TIE", 120],
      ]),
      "TIE",
    );
    expect(s.diffp).toBeCloseTo(0.04, 12);
    expect(s.rd).toBeCloseTo(4 / sampleStandardDeviation([100, 100, 104, 108]), 12);
    expect(s.rd_losing).toBe(0);
    expect(s.rdnor).toBe(0);
    expect(s.n_identical).toBe(2);
  });

  it("non-positive prices and ceilings give NULL ratios", async () => {
    const s = get(
      await screensOf(db, [
        ["ZERO", 0, false, 0],
        ["ZERO", 10, true, 0],
      ]),
      "ZERO",
    );
    expect(s.spd).toBeNull();
    expect(s.diffp).toBeNull();
    expect(s.bid_ceiling_ratio).toBeNull();
    expect(s.cv).toBeCloseTo(10 / Math.SQRT2 / 5, 12);
  });

  it("never writes NaN or Infinity", async () => {
    await screensOf(db, [
      ["A", 1],
      ["B", 5],
      ["B", 5],
      ["C", 0],
      ["C", 0],
      ["C", 0],
      ["D", 1e12],
      ["D", 1e12 + 1],
      ["D", 1e12 + 1],
      ["D", 1e12 + 1],
      ["E", -5],
      ["E", 5],
      ["E", 5],
    ]);
    const cols = ALL_SCREEN_COLUMNS.map((c) => `count(*) FILTER (WHERE NOT isfinite(${c}))`).join(" + ");
    const row = await db.one<{ bad: number }>(`SELECT ${cols} AS bad FROM tender_screens`);
    expect(row?.bad).toBe(0);
  });

  it("reads back a subset of tenders and rejects a bad input table", async () => {
    await screensOf(db, [
      ["A", 1],
      ["B", 2],
      ["C", 3],
    ]);
    const rows = await readTenderScreens(db, { tenderIds: ["C", "A"] });
    expect(rows.map((r) => r.tender_id)).toEqual(["A", "C"]);
    await db.exec("CREATE TABLE no_ceiling AS SELECT tender_id, price, is_winner FROM screen_bids");
    await expect(computeScreens(db, { source: "no_ceiling" })).rejects.toMatchObject({
      code: "E_SCREENS_INPUT",
    });
    await expect(computeScreens(db, { source: "nope" })).rejects.toMatchObject({ code: "E_SCREENS_INPUT" });
    await expect(computeScreens(db, { sauce: "x" } as never)).rejects.toMatchObject({
      code: "E_SCREENS_INPUT",
    });
  });
});

/** Reference KS D against U(min, max), scipy.stats.kstest style (ties kept as separate points). */
function ksUniform(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const lo = s[0] ?? 0;
  const hi = s[s.length - 1] ?? 0;
  let d = 0;
  s.forEach((x, i) => {
    const u = (x - lo) / (hi - lo);
    d = Math.max(d, (i + 1) / s.length - u, u - i / s.length);
  });
  return d;
}

describe("computeScreens: agrees with an independent TypeScript computation", () => {
  it("on 200 seeded random tenders with large, close prices", async () => {
    const db = await Db.open();
    try {
      const next = mulberry32(20220104);
      const tenders = new Map<string, number[]>();
      for (let t = 0; t < 200; t++) {
        const n = 4 + Math.floor(next() * 20);
        const base = 1e6 + next() * 1e9;
        tenders.set(
          `T${t}`,
          Array.from({ length: n }, () => Math.round(base * (1 + 0.05 * next()))),
        );
      }
      const bids: Bid[] = [...tenders].flatMap(([id, ps]) => ps.map((p) => [id, p] as const));
      await db.exec(
        "CREATE TABLE screen_bids (tender_id VARCHAR, price DOUBLE, is_winner BOOLEAN, ceiling_price DOUBLE)",
      );
      await db.exec("INSERT INTO screen_bids SELECT unnest($ids), unnest($prices), false, NULL::DOUBLE", {
        ids: listValue(bids.map((b) => b[0])),
        prices: listValue(bids.map((b) => b[1])),
      });
      await computeScreens(db);
      const got = new Map((await readTenderScreens(db)).map((r) => [r.tender_id, r]));
      for (const [id, ps] of tenders) {
        const s = got.get(id);
        expect(s, id).toBeDefined();
        if (!s) continue;
        const sorted = [...ps].sort((a, b) => a - b);
        const mean = ps.reduce((a, b) => a + b) / ps.length;
        expect(s.cv).toBeCloseTo(sampleStandardDeviation(ps) / mean, 10);
        expect(s.skew).toBeCloseTo(sampleSkewness(ps), 8);
        expect(s.kurt).toBeCloseTo(sampleKurtosis(ps), 8);
        expect(s.ks).toBeCloseTo(ksUniform(ps), 10);
        const b1 = sorted[0] ?? 0;
        const b2 = sorted[1] ?? 0;
        expect(s.rd_losing).toBeCloseTo((b2 - b1) / sampleStandardDeviation(sorted.slice(1)), 8);
      }
    } finally {
      db.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// Reproduction of the published screens of García Rodríguez et al. (2022), docs/screens.md.
// The files sit in the shared folder beside the repository; the suite is skipped when they are absent.

const DATA_DIR = fileURLToPath(new URL("../../../shared/data/garcia-rodriguez-2022/", import.meta.url));
const DATASETS = {
  brazil: { file: "DB_Collusion_Brazil_processed.csv", ceiling: "Pre-Tender Estimate (PTE)" },
  italy: { file: "DB_Collusion_Italy_processed.csv", ceiling: "Pre-Tender Estimate (PTE)" },
  japan: { file: "DB_Collusion_Japan_processed.csv", ceiling: "Pre-Tender Estimate (PTE)" },
  swiss: { file: "DB_Collusion_Switzerland_GR_and_See-Gaster_processed.csv", ceiling: null },
} as const;
type Dataset = keyof typeof DATASETS;
const PUBLISHED = ["cv", "spd", "diffp", "rd", "kurt", "skew", "ks"] as const;
type Published = (typeof PUBLISHED)[number];

/** Published values are rounded to 4 decimals; the brief's tolerance is 1e-3. */
const TOL = 1e-3;

/**
 * Minimum share of tenders whose screen matches within TOL. Where the authors write 0 for an undefined
 * screen (too few bids, zero spread) we write NULL, and NULL is compared as 0. Below 1, the
 * difference is explained in docs/screens.md and checked further down.
 */
const MIN_SHARE: Record<Dataset, Record<Published, number>> = {
  brazil: { cv: 1, spd: 1, diffp: 1, rd: 0.99, kurt: 1, skew: 1, ks: 1 }, // rd: the one 2-bid tender
  italy: { cv: 1, spd: 1, diffp: 0.94, rd: 0.92, kurt: 1, skew: 1, ks: 1 }, // authors' runner-up differs in 21
  japan: { cv: 1, spd: 1, diffp: 0.4, rd: 0, kurt: 1, skew: 1, ks: 1 }, // published DIFFP/RD not reproducible
  swiss: { cv: 1, spd: 1, diffp: 0.96, rd: 0, kurt: 1, skew: 1, ks: 1 }, // published RD not reproducible
};

const PUBLISHED_COLUMN: Record<Published, string> = {
  cv: "CV",
  spd: "SPD",
  diffp: "DIFFP",
  rd: "RD",
  kurt: "KURT",
  skew: "SKEW",
  ks: "KSTEST",
};

async function loadDataset(db: Db, ds: Dataset): Promise<void> {
  const { file, ceiling } = DATASETS[ds];
  await db.exec("CREATE OR REPLACE TABLE pub AS SELECT * FROM read_csv($path, header = true)", {
    path: DATA_DIR + file,
  });
  const ceilingSql = ceiling === null ? "NULL" : `CAST(${ident(ceiling)} AS DOUBLE)`;
  await db.exec(`CREATE OR REPLACE TABLE screen_bids AS
    SELECT CAST(Tender AS VARCHAR) AS tender_id, CAST(Bid_value AS DOUBLE) AS price, Winner = 1 AS is_winner,
           ${ceilingSql} AS ceiling_price
    FROM pub`);
  await db.exec(`CREATE OR REPLACE TABLE pub_tender AS
    SELECT CAST(Tender AS VARCHAR) AS tender_id, any_value(Number_bids) AS number_bids,
           ${PUBLISHED.map((c) => `any_value(${PUBLISHED_COLUMN[c]}) AS pub_${c}`).join(", ")}
    FROM pub GROUP BY 1`);
  await computeScreens(db);
  await db.exec(
    "CREATE OR REPLACE TABLE cmp AS SELECT * FROM pub_tender JOIN tender_screens USING (tender_id) ORDER BY tender_id",
  );
}

async function shares(db: Db, where = "true"): Promise<Record<Published, number>> {
  const sel = PUBLISHED.map((c) => `avg(CAST(abs(coalesce(${c}, 0) - pub_${c}) <= ${TOL} AS INT)) AS ${c}`);
  const row = await db.one<Record<Published, number>>(`SELECT ${sel.join(", ")} FROM cmp WHERE ${where}`);
  if (!row) throw new Error("no tenders compared");
  return row;
}

describe.skipIf(!existsSync(DATA_DIR))("computeScreens reproduces García Rodríguez et al. (2022)", () => {
  let db: Db;
  beforeEach(async () => {
    db = await Db.open();
  });
  afterEach(() => db.close());

  for (const ds of Object.keys(DATASETS) as Dataset[]) {
    it(`${ds}: every tender is screened and the share matching each screen is as documented`, async () => {
      await loadDataset(db, ds);
      const counts = await db.one<{ pub: number; ours: number; n_ok: number }>(
        `SELECT (SELECT count(*) FROM pub_tender) AS pub, (SELECT count(*) FROM tender_screens) AS ours,
                (SELECT count(*) FROM cmp WHERE n_bids = number_bids) AS n_ok`,
      );
      expect(counts?.ours).toBe(counts?.pub);
      expect(counts?.n_ok).toBe(counts?.pub);
      const got = await shares(db);
      for (const c of PUBLISHED) expect(got[c], `${ds} ${c}`).toBeGreaterThanOrEqual(MIN_SHARE[ds][c]);
    });
  }

  it("brazil: RD matches every tender with ≥ 3 bids; the 2-bid tender is published as √2, ours NULL", async () => {
    await loadDataset(db, "brazil");
    expect((await shares(db, "n_bids >= 3")).rd).toBe(1);
    const two = await db.all<{ rd: number | null; pub_rd: number }>(
      "SELECT rd, pub_rd FROM cmp WHERE n_bids = 2",
    );
    expect(two).toHaveLength(1);
    expect(two[0]?.rd).toBeNull();
    expect(two[0]?.pub_rd).toBeCloseTo(Math.SQRT2, 4); // published, rounded to 4 decimals
  });

  it("italy: where DIFFP/RD differ, the authors' runner-up is a higher-ranked bid, the same one in both", async () => {
    await loadDataset(db, "italy");
    // For each such tender: some bid p above the second-lowest reproduces the published DIFFP (to its 4
    // decimals) and, used as the runner-up in our RD formula, the published RD as well.
    const rows = await db.all<{ tender_id: string; rank_ok: boolean; rd_ok: boolean }>(`
      WITH sd AS (
        SELECT tender_id, stddev_samp(price) FILTER (WHERE price < max_price) AS sd_below_max
        FROM screen_bids JOIN tender_screens USING (tender_id) GROUP BY tender_id
      ),
      b AS (
        SELECT tender_id, price, row_number() OVER (PARTITION BY tender_id ORDER BY price) AS rk, sd_below_max
        FROM screen_bids JOIN sd USING (tender_id)
      )
      SELECT c.tender_id, bool_and(b.rk >= 3) AS rank_ok,
             bool_or(abs((b.price - c.min_price) / b.sd_below_max - c.pub_rd) <= ${TOL}) AS rd_ok
      FROM cmp AS c JOIN b USING (tender_id)
      WHERE abs(c.rd - c.pub_rd) > ${TOL}
        AND abs((b.price - c.min_price) / c.min_price - c.pub_diffp) <= 5e-5 + 1e-12
      GROUP BY c.tender_id`);
    const mismatched = await db.one<{ n: number }>(
      `SELECT count(*) AS n FROM cmp WHERE abs(rd - pub_rd) > ${TOL}`,
    );
    expect(mismatched?.n).toBe(21);
    expect(rows.length).toBe(21);
    for (const r of rows) expect(r, r.tender_id).toMatchObject({ rank_ok: true, rd_ok: true });
  });

  it("japan and swiss: published RD is not a function of the tender's bids", async () => {
    for (const ds of ["japan", "swiss"] as const) {
      await loadDataset(db, ds);
      const row = await db.one<{ neg: number; single: number; match: number }>(`
        SELECT avg(CAST(pub_rd < 0 AS INT)) AS neg,
               count(*) FILTER (WHERE n_bids = 1 AND pub_rd <> 0) AS single,
               avg(CAST(abs(coalesce(rd, 0) - pub_rd) <= ${TOL} AS INT)) AS match
        FROM cmp`);
      // A gap over a standard deviation cannot be negative; ~40 % of the published values are.
      expect(row?.neg, ds).toBeGreaterThan(0.3);
      expect(row?.match, ds).toBeLessThan(0.1);
      if (ds === "swiss") expect(row?.single).toBeGreaterThan(0); // 1-bid tenders with a non-zero RD
    }
  });
});
