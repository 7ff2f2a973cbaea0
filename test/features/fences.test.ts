import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Db } from "../../src/db/duckdb.ts";
import { computeFences, readScreenFences } from "../../src/features/fences.ts";

describe("computeFences", () => {
  let db: Db;
  beforeEach(async () => {
    db = await Db.open();
    // Category BIG: cv = 1..9 (numpy/R-7 quartiles 3 and 7). Category SMALL: 3 tenders, too few.
    // spd is NULL for SMALL and has one Infinity in BIG, both ignored.
    await db.exec(`CREATE TABLE ts AS
      SELECT 'B' || i AS tender_id, 'BIG' AS category, CAST(i AS DOUBLE) AS cv,
             CASE WHEN i = 9 THEN 'Infinity'::DOUBLE ELSE CAST(10 * i AS DOUBLE) END AS spd
      FROM range(1, 10) AS t(i)
      UNION ALL
      SELECT 'S' || i, 'SMALL', CAST(100 + i AS DOUBLE), NULL FROM range(3) AS t(i)`);
  });
  afterEach(() => db.close());

  it("uses the group's own quartiles when large enough, the global ones otherwise", async () => {
    await computeFences(db, ["cv", "spd"], ["category"], { source: "ts", minGroupSize: 5 });
    const rows = await readScreenFences(db);
    expect(rows).toEqual([
      {
        category: "BIG",
        screen: "cv",
        n_group: 9,
        basis: "group",
        n_basis: 9,
        q1: 3,
        median: 5,
        q3: 7,
        iqr: 4,
        lower_fence: -3,
        upper_fence: 13,
      },
      {
        category: "BIG",
        screen: "spd",
        n_group: 8,
        basis: "group",
        n_basis: 8,
        q1: 27.5,
        median: 45,
        q3: 62.5,
        iqr: 35,
        lower_fence: 27.5 - 52.5,
        upper_fence: 62.5 + 52.5,
      },
      {
        // 12 values 1..9, 100..102, linear interpolation: Q1 = 3 + 0.75, Q3 = 9 + 0.25 · 91
        category: "SMALL",
        screen: "cv",
        n_group: 3,
        basis: "global",
        n_basis: 12,
        q1: 3.75,
        median: 6.5,
        q3: 31.75,
        iqr: 28,
        lower_fence: 3.75 - 42,
        upper_fence: 31.75 + 42,
      },
    ]);
  });

  it("without grouping computes one distribution over all tenders; k widens the fences", async () => {
    await computeFences(db, ["cv"], [], { source: "ts", k: 3 });
    const rows = await readScreenFences(db);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ screen: "cv", n_group: 12, q1: 3.75, q3: 31.75, lower_fence: 3.75 - 84 });
  });

  it("defaults to tender_screens and a minimum group size of 30", async () => {
    await db.exec("CREATE TABLE tender_screens AS SELECT * FROM ts");
    await computeFences(db, ["cv"], ["category"]);
    const rows = await readScreenFences(db);
    expect(rows.map((r) => r.basis)).toEqual(["global", "global"]);
  });

  it("rejects unknown options, missing or clashing columns and bad numbers with E_FENCES_INPUT", async () => {
    const bad = [
      () => computeFences(db, ["cv"], ["category"], { source: "ts", minSize: 3 } as never),
      () => computeFences(db, ["cv", "nope"], ["category"], { source: "ts" }),
      () => computeFences(db, ["cv"], ["screen"], { source: "ts" }),
      () => computeFences(db, ["cv", "cv"], [], { source: "ts" }),
      () => computeFences(db, [], ["category"], { source: "ts" }),
      () => computeFences(db, ["cv"], [], { source: "ts", minGroupSize: 0 }),
      () => computeFences(db, ["cv"], [], { source: "ts", k: Number.NaN }),
      () => computeFences(db, ["cv"], [], { source: "missing_table" }),
    ];
    for (const call of bad) await expect(call()).rejects.toMatchObject({ code: "E_FENCES_INPUT" });
  });
});
