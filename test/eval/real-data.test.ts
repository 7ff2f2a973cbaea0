import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Db } from "../../src/db/duckdb.ts";
import { screenScore } from "../../src/detectors/screen-score.ts";
import { CALIBRATION_DEFAULTS, crossValidate, stratifiedFolds } from "../../src/eval/calibrate.ts";
import { heldOutSelection } from "../../src/eval/held-out.ts";
import { auc } from "../../src/eval/metrics.ts";
import { loadRealDataset, realDatasetInfo } from "../../src/eval/real-data.ts";
import { computeFences, readScreenFences } from "../../src/features/fences.ts";

const DATA_DIR = fileURLToPath(new URL("../../../shared/data/garcia-rodriguez-2022/", import.meta.url));

describe("stratifiedFolds", () => {
  it("deals each class evenly over the folds, reproducibly", () => {
    const labels = Array.from({ length: 23 }, (_, i) => i % 3 === 0); // 8 positives, 15 negatives
    const a = stratifiedFolds(labels, 4, 7);
    expect(stratifiedFolds(labels, 4, 7)).toEqual(a);
    for (let f = 0; f < 4; f++) {
      const pos = labels.filter((l, i) => l && a[i] === f).length;
      expect(pos).toBe(2);
      const n = a.filter((x) => x === f).length;
      expect(n === 5 || n === 6).toBe(true);
    }
  });
});

describe.skipIf(!existsSync(DATA_DIR))("real datasets: Brazil", () => {
  let db: Db;
  beforeEach(async () => {
    db = await Db.open();
  });
  afterEach(() => db.close());

  it("loads the bids and tender labels with the README's counts", async () => {
    const data = await loadRealDataset(db, "brazil", DATA_DIR);
    const expected = realDatasetInfo("brazil").expected;
    expect(data.summary).toEqual({
      bids: expected.bids,
      tenders: expected.tenders,
      collusive_tenders: expected.collusive,
      mixed_label_tenders: 0,
      bid_count_mismatches: 0,
    });
    expect(data.tenders).toHaveLength(101);
    expect(data.tenders.filter((t) => t.label)).toHaveLength(33);
    expect(data.tenders[0]?.tender_id).toBe("1");
    // Tender 1: 11 bids, published CV 0.2363 (our screens, not the published column)
    expect(data.tenders[0]?.screens.n_bids).toBe(11);
    expect(data.tenders[0]?.screens.cv).toBeCloseTo(0.2363, 4);
  });

  it("computes screen and score AUCs and a seeded cross-validation", async () => {
    const data = await loadRealDataset(db, "brazil", DATA_DIR);
    const three = data.tenders.filter((t) => t.screens.n_bids >= 3);
    const cvAuc = auc(
      three.map((t) => -(t.screens.cv as number)),
      three.map((t) => t.label),
    );
    expect(cvAuc).toBeGreaterThan(0.5);
    expect(cvAuc).toBeLessThanOrEqual(1);

    await computeFences(db, ["cv", "spd", "kurt", "rd_losing"], [], { source: "tender_screens" });
    const quartiles = Object.fromEntries(
      (await readScreenFences(db)).map((f) => [f.screen, { q1: f.q1, median: f.median, q3: f.q3 }]),
    );
    const scores = three.map((t) => screenScore(t.screens, quartiles).score);
    expect(scores.every((s) => s !== null && s >= 0 && s <= 1)).toBe(true);
    expect(
      auc(
        scores as number[],
        three.map((t) => t.label),
      ),
    ).not.toBeNull();

    const settings = { ...CALIBRATION_DEFAULTS, trees: 8 };
    const cv = crossValidate(data.tenders, settings);
    expect(cv.scores).toHaveLength(101);
    expect(cv.positives).toBe(33);
    expect(cv.auc).not.toBeNull();
    expect(crossValidate(data.tenders, settings).scores).toEqual(cv.scores);
  });

  it("chooses the best screen on the training folds and scores it on the held-out fold", async () => {
    const data = await loadRealDataset(db, "brazil", DATA_DIR);
    const three = data.tenders.filter((t) => t.screens.n_bids >= 3);
    const low = (v: number | null) => (v === null ? null : -v);
    const foldOf = stratifiedFolds(
      three.map((t) => t.label),
      5,
      CALIBRATION_DEFAULTS.seed,
    );
    // cv (low) has AUC 0.90 on Brazil, kurt (high) 0.49: cv wins every training split; with cv itself as the
    // comparator, the comparator's held-out AUC is the chosen screen's, fold by fold.
    const r = heldOutSelection(
      three,
      (t) => t.label,
      foldOf,
      [
        { name: "kurt", value: (t) => t.screens.kurt },
        { name: "cv", value: (t) => low(t.screens.cv) },
      ],
      (t) => low(t.screens.cv),
    );
    expect(r.folds.map((f) => f.chosen)).toEqual(["cv", "cv", "cv", "cv", "cv"]);
    for (const f of r.folds) {
      expect(f.comparator_auc).toBe(f.held_out_auc);
      expect(f.held_out_auc).toBeGreaterThan(0.5);
    }
    expect(r.mean_held_out_auc).toBe(r.mean_comparator_auc);
  });
});
