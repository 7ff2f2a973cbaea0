import { describe, expect, it } from "vitest";
import { type HeldOutCandidate, heldOutSelection } from "../../src/eval/held-out.ts";

interface Item {
  readonly label: boolean;
  readonly a: number | null;
  readonly b: number | null;
  readonly c: number | null;
}

// Two folds of four tenders (two collusive each). Screen a is perfect on fold 0 and backwards on fold 1,
// screen b the other way round (0.25 on fold 0, 1 on fold 1); the comparator c is 1 on fold 0 and ½ on fold 1.
const items: Item[] = [
  { label: true, a: 4, b: 3, c: 2 },
  { label: true, a: 3, b: 1, c: 2 },
  { label: false, a: 2, b: 2, c: 1 },
  { label: false, a: 1, b: 4, c: 1 },
  { label: true, a: 1, b: 4, c: 1 },
  { label: true, a: 2, b: 3, c: 2 },
  { label: false, a: 3, b: 1, c: 1 },
  { label: false, a: 4, b: 2, c: 2 },
];
const foldOf = [0, 0, 0, 0, 1, 1, 1, 1];
const candidates = [
  { name: "a", value: (t: Item) => t.a },
  { name: "b", value: (t: Item) => t.b },
];

/** heldOutSelection over `list` with the comparator c, labels and folds as above. */
const select = (
  list: readonly Item[],
  cands: readonly HeldOutCandidate<Item>[],
  folds: readonly number[] = foldOf,
) =>
  heldOutSelection(
    list,
    (t) => t.label,
    folds,
    cands,
    (t) => t.c,
  );

describe("heldOutSelection", () => {
  it("chooses on the other folds and scores the choice and the comparator on the held-out fold", () => {
    const r = select(items, candidates);
    expect(r.folds).toEqual([
      // fold 0 is held out: on fold 1, b (AUC 1) beats a (AUC 0); b scores 0.25 on fold 0
      { fold: 0, chosen: "b", train_auc: 1, held_out_auc: 0.25, comparator_auc: 1 },
      // fold 1 is held out: on fold 0, a (AUC 1) beats b (0.25); a scores 0 on fold 1
      { fold: 1, chosen: "a", train_auc: 1, held_out_auc: 0, comparator_auc: 0.5 },
    ]);
    expect(r.mean_held_out_auc).toBeCloseTo(0.125, 12);
    expect(r.mean_comparator_auc).toBeCloseTo(0.75, 12);
  });

  it("takes the first candidate on a tie and leaves undefined values out", () => {
    const twin = [...candidates, { name: "a again", value: (t: Item) => t.a }];
    expect(select(items, twin).folds[1]?.chosen).toBe("a");
    // b undefined on one negative of fold 0: its held-out AUC is over the three tenders left
    // (positives {3, 1} vs negative {2}: ½)
    const holed = items.map((t, i) => (i === 3 ? { ...t, b: null } : t));
    const r = select(holed, candidates);
    expect(r.folds[0]).toMatchObject({ chosen: "b", held_out_auc: 0.5 });
  });

  it("leaves out a fold where no candidate is defined on the training tenders; checks its input", () => {
    const none = [{ name: "a", value: (t: Item) => (t.label ? t.a : null) }];
    const r = select(items, none);
    expect(r.folds).toEqual([]);
    expect(r.mean_held_out_auc).toBeNull();
    expect(() => select(items, candidates, [0, 1])).toThrow(RangeError);
  });
});
