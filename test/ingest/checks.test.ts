import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { usccCheckChar } from "../../src/domain/uscc.ts";
import { CATEGORY_ALIASES } from "../../src/ingest/columns.ts";
import { ingest } from "../../src/ingest/index.ts";
import { INVALID_ID_LIST_MAX } from "../../src/ingest/normalise.ts";
import { perTestDbAndDir } from "../helpers/db.ts";

const ctx = perTestDbAndDir();

/** The n-th credit code, valid or with a wrong check digit. */
function code(n: number, valid: boolean): string {
  const body = `91350100MA${String(n).padStart(7, "0")}`;
  const check = usccCheckChar(body) ?? "0";
  return body + (valid ? check : check === "0" ? "1" : "0");
}

const rejectLines = async () =>
  (await ctx.db.all<{ line: number; reason: string }>("SELECT line, reason FROM rejects ORDER BY line")).map(
    (r) => `${r.line} ${r.reason}`,
  );

describe("credit-code check", () => {
  // Few invalid codes are matched as a list, many through a join: both give the same rejects.
  it.each([
    ["a few invalid codes", 3],
    ["more invalid codes than the list holds", INVALID_ID_LIST_MAX + 5],
  ])("rejects every row of %s, with the code in the reason", async (_, invalid) => {
    const rows: string[] = [];
    for (let i = 0; i < invalid; i++) rows.push(`T${i},${code(i, false)},100`, `T${i},${code(i, true)},100`);
    rows.push(`T0,${code(0, false).toLowerCase()},200`); // the same invalid code after upper-casing
    await writeFile(join(ctx.dir, "bids.csv"), `tender_id,firm_id,price\n${rows.join("\n")}\n`);
    const [r] = await ingest(ctx.db, [ctx.dir]);
    expect(r).toMatchObject({ read: 2 * invalid + 1, loaded: invalid, rejected: invalid + 1 });
    const expected = [
      ...Array.from(
        { length: invalid },
        (_, i) =>
          `${2 * i + 2} firm_id "${code(i, false)}" is not a valid unified social credit code (GB 32100-2015; use --firm-ids any for platform ids)`,
      ),
      `${2 * invalid + 2} firm_id "${code(0, false)}" is not a valid unified social credit code (GB 32100-2015; use --firm-ids any for platform ids)`,
    ];
    expect(await rejectLines()).toEqual(expected);
  });
});

describe("labels", () => {
  it("maps every category label, in any case, as the label table does", async () => {
    const labels = Object.entries(CATEGORY_ALIASES).flatMap(([value, aliases]) => [value, ...aliases]);
    const rows = [...labels, ...labels.map((l) => l.toUpperCase()), "unknown", ""];
    await writeFile(
      join(ctx.dir, "tenders.csv"),
      `tender_id,category\n${rows.map((l, i) => `T${i},${l}`).join("\n")}\n`,
    );
    await ingest(ctx.db, [ctx.dir]);
    // Row i of the file and its label.
    const input = `(SELECT unnest(l) AS label, generate_subscripts(l, 1) - 1 AS i
                     FROM (SELECT from_json($labels, '["VARCHAR"]') AS l)) s`;
    const got = await ctx.db.all<{ label: string; category: string | null }>(
      `SELECT s.label, t.category FROM tenders t JOIN ${input} ON t.tender_id = 'T' || s.i ORDER BY s.i`,
      { labels: JSON.stringify(rows) },
    );
    const expected = await ctx.db.all<{ label: string; category: string | null }>(
      `SELECT s.label, CASE WHEN nullif(trim(s.label), '') IS NULL THEN NULL
              ELSE coalesce((SELECT value FROM bw_labels WHERE kind = 'category' AND label = lower(s.label)), 'other')
              END AS category
       FROM ${input} ORDER BY s.i`,
      { labels: JSON.stringify(rows) },
    );
    expect(got).toEqual(expected);
    expect(got.filter((r) => r.category === "water")).toHaveLength(6);
  });
});
