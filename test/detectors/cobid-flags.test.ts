/**
 * COBID_ROTATION, COVER_BIDDER, TIGHT_UPLOAD_SEQUENCE, DEBARRED_BIDDER: golden fixtures
 * (data/fixtures/detectors/RULE/ → RULE.expected.json, texts excluded), the pair features checked against
 * an independent brute-force computation on seeded random data, and the masking of person ids in texts.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/duckdb.ts";
import { COBID_DETECTORS } from "../../src/detectors/cobid-flags.ts";
import { maskId } from "../../src/detectors/debarred-bidder.ts";
import * as tightUpload from "../../src/detectors/tight-upload-sequence.ts";
import { cobidOptions, computeCobidFeatures, upperFence } from "../../src/features/cobid.ts";
import { ingest } from "../../src/ingest/index.ts";
import type { Finding } from "../../src/types.ts";
import { memoryDb } from "../helpers/db.ts";

const dir = fileURLToPath(new URL("../../data/fixtures/detectors/", import.meta.url));

let db: Db;
beforeEach(async () => {
  db = await memoryDb();
});
afterEach(() => db.close());

function withoutTexts(findings: readonly Finding[]): unknown {
  return JSON.parse(JSON.stringify(findings.map(({ text_zh: _zh, text_en: _en, ...rest }) => rest)));
}

async function load(rule: string) {
  await ingest(db, [join(dir, rule)], { firmIds: "any", now: () => new Date("2025-12-31T00:00:00Z") });
  return computeCobidFeatures(db);
}

describe("cobid golden fixtures", () => {
  it.each(COBID_DETECTORS.map((d) => d.rule))("%s", async (rule) => {
    const detector = COBID_DETECTORS.find((d) => d.rule === rule);
    if (!detector) throw new Error(`no detector ${rule}`);
    const findings = detector.run(await load(rule));
    const expected = JSON.parse(readFileSync(join(dir, `${rule}.expected.json`), "utf8"));
    expect(withoutTexts(findings)).toEqual(expected);
    for (const f of findings) {
      expect(f.text_zh.length).toBeGreaterThan(0);
      expect(f.text_en.length).toBeGreaterThan(0);
    }
  });

  it("DEBARRED_BIDDER texts never carry a full person id", async () => {
    const findings = COBID_DETECTORS.find((d) => d.rule === "DEBARRED_BIDDER")?.run(
      await load("DEBARRED_BIDDER"),
    );
    const people = (findings ?? []).filter((f) => f.facts.subject_type === "person");
    expect(people.length).toBeGreaterThan(0);
    for (const f of people) {
      const id = String(f.facts.subject_id);
      expect(f.text_zh).not.toContain(id);
      expect(f.text_en).not.toContain(id);
      expect(f.text_zh).toContain(maskId(id));
    }
  });

  it("TIGHT_UPLOAD_SEQUENCE settings can only tighten the feature thresholds", async () => {
    const f = await load("TIGHT_UPLOAD_SEQUENCE");
    expect(tightUpload.run(f, { ...tightUpload.DEFAULTS, maxGapSeconds: 60 })).toEqual([]);
    const wide = tightUpload.run(f, { ...tightUpload.DEFAULTS, maxGapSeconds: 5000 });
    expect(wide.map((x) => x.facts.thresholds)).toEqual([
      { max_gap_s: 600, min_tenders: 2, rush_window_s: 1800, rush_min_bids: 3 },
    ]);
  });
});

describe("helpers", () => {
  it("masks person ids keeping 4 + 4 characters", () => {
    expect(maskId("330102198001011234")).toBe("3301**********1234");
    expect(maskId("33010419850505888X")).toBe("3301**********888X");
    expect(maskId("AB12")).toBe("**12");
    expect(maskId("")).toBe("");
  });

  it("computes Tukey's upper fence", () => {
    expect(upperFence({ n: 8, q1: 1, median: 2, q3: 4 }, 1.5)).toBe(8.5);
  });

  it("rejects unknown and invalid options with E_COBID_OPTIONS", () => {
    expect(() => cobidOptions({ minTogeter: 3 } as never)).toThrow(
      expect.objectContaining({ code: "E_COBID_OPTIONS" }),
    );
    expect(() => cobidOptions({ upload: { maxGap: 1 } as never })).toThrow(/upload\.maxGap/);
    expect(() => cobidOptions({ minTogether: 1 })).toThrow(/minTogether/);
    expect(cobidOptions({ upload: { rushMinBids: 5 } }).upload).toEqual({
      maxGapSeconds: 600,
      rushWindowSeconds: 1800,
      rushMinBids: 5,
      minTenders: 2,
    });
  });
});

/** Park–Miller minimal standard generator: deterministic test data without Math.random. */
function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 48271) % 2147483647;
    return s / 2147483647;
  };
}

describe("pair features against a brute-force computation", () => {
  it("matches on seeded random data (markets, multi-bids, no-winner lots, crowded lots)", async () => {
    const rnd = lcg(20250524);
    const maxBidders = 6;
    const tenders: { id: string; market: string; day: number }[] = [];
    const bids: { tender: string; firm: string; won: boolean; disq: boolean }[] = [];
    for (let t = 0; t < 120; t++) {
      const id = `T${String(t).padStart(3, "0")}`;
      const region = rnd() < 0.5 ? "R1" : "R2";
      const category = rnd() < 0.7 ? "construction" : "water";
      tenders.push({ id, market: `${region}/${category}`, day: Math.floor(rnd() * 300) });
      const n = t % 25 === 0 ? 9 : 2 + Math.floor(rnd() * 4);
      const firms = new Set<string>();
      while (firms.size < n) firms.add(`F${Math.floor(rnd() * 14)}`);
      const list = [...firms];
      const winner = rnd() < 0.9 ? Math.floor(rnd() * list.length) : -1;
      list.forEach((firm, i) => {
        bids.push({ tender: id, firm, won: i === winner, disq: rnd() < 0.1 });
      });
    }
    for (const t of tenders) {
      const [region, category] = t.market.split("/");
      await db.exec(
        "INSERT INTO tenders (tender_id, region, category, bid_deadline) VALUES ($id, $r, $c, TIMESTAMPTZ '2025-01-01 09:00:00+08' + to_days($d::INTEGER))",
        { id: t.id, r: region ?? null, c: category ?? null, d: t.day },
      );
    }
    for (const [i, b] of bids.entries()) {
      await db.exec(
        "INSERT INTO bids (bid_id, tender_id, firm_id, price, is_winner, disqualified) VALUES ($id, $t, $f, 100, $w, $d)",
        { id: `B${i}`, t: b.tender, f: b.firm, w: b.won, d: b.disq },
      );
    }
    // A second bid of one firm in one lot must count once.
    const dup = bids[3];
    if (dup) {
      await db.exec(
        "INSERT INTO bids (bid_id, tender_id, firm_id, price, is_winner, disqualified) VALUES ('DUP', $t, $f, 101, false, false)",
        { t: dup.tender, f: dup.firm },
      );
    }

    const features = await computeCobidFeatures(db, { maxBidders, minTogether: 2 });

    // Brute force.
    const byTender = new Map<string, Map<string, boolean>>();
    for (const b of bids) {
      const m = byTender.get(b.tender) ?? new Map<string, boolean>();
      m.set(b.firm, b.won);
      byTender.set(b.tender, m);
    }
    const tenderInfo = new Map(tenders.map((t) => [t.id, t]));
    const eligible = [...byTender].filter(([, m]) => m.size <= maxBidders);
    const nFirm = new Map<string, number>();
    const nFirmMarket = new Map<string, number>();
    const nMarket = new Map<string, number>();
    for (const [t, m] of eligible) {
      const market = tenderInfo.get(t)?.market ?? "";
      nMarket.set(market, (nMarket.get(market) ?? 0) + 1);
      for (const f of m.keys()) {
        nFirm.set(f, (nFirm.get(f) ?? 0) + 1);
        nFirmMarket.set(`${f}|${market}`, (nFirmMarket.get(`${f}|${market}`) ?? 0) + 1);
      }
    }
    const firms = [...nFirm.keys()].sort();
    const expected = [];
    for (let i = 0; i < firms.length; i++) {
      for (let j = i + 1; j < firms.length; j++) {
        const a = firms[i] as string;
        const b = firms[j] as string;
        const shared = eligible
          .filter(([, m]) => m.has(a) && m.has(b))
          .map(([t, m]) => ({ t, m, day: tenderInfo.get(t)?.day ?? 0 }))
          .sort((x, y) => x.day - y.day || (x.t < y.t ? -1 : 1));
        if (shared.length < 2) continue;
        const together = shared.length;
        const decided = shared.filter((s) => [...s.m.values()].some(Boolean));
        let expectedTogether = 0;
        for (const [market, n] of nMarket) {
          expectedTogether +=
            ((nFirmMarket.get(`${a}|${market}`) ?? 0) * (nFirmMarket.get(`${b}|${market}`) ?? 0)) / n;
        }
        const na = nFirm.get(a) ?? 0;
        const nb = nFirm.get(b) ?? 0;
        expected.push({
          firm_a: a,
          firm_b: b,
          n_together: together,
          n_a: na,
          n_b: nb,
          jaccard: together / (na + nb - together),
          wins_a: shared.filter((s) => s.m.get(a)).length,
          wins_b: shared.filter((s) => s.m.get(b)).length,
          a_lost_to_b: shared.filter((s) => s.m.get(b) && !s.m.get(a)).length,
          b_lost_to_a: shared.filter((s) => s.m.get(a) && !s.m.get(b)).length,
          n_decided: decided.length,
          outsider_wins: decided.filter((s) => !s.m.get(a) && !s.m.get(b)).length,
          expected_together: expectedTogether,
          lift: together / expectedTogether,
          tenders: shared.map((s) => s.t),
          winners: shared.map((s) =>
            s.m.get(a) ? "a" : s.m.get(b) ? "b" : [...s.m.values()].some(Boolean) ? "other" : "none",
          ),
        });
      }
    }
    expect(features.pairs.length).toBe(expected.length);
    expect(expected.length).toBeGreaterThan(20);
    for (const [k, p] of features.pairs.entries()) {
      const e = expected[k];
      expect({ ...p, jaccard: 0, expected_together: 0, lift: 0 }).toEqual({
        ...e,
        jaccard: 0,
        expected_together: 0,
        lift: 0,
      });
      expect(p.jaccard).toBeCloseTo(e?.jaccard ?? Number.NaN, 10);
      expect(p.expected_together).toBeCloseTo(e?.expected_together ?? Number.NaN, 10);
      expect(p.lift ?? Number.NaN).toBeCloseTo(e?.lift ?? Number.NaN, 10);
    }
  });
});
