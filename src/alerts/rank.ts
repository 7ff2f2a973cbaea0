/** Ranking and watch-list boosting of alert scores (pure), shared by the alert builder and the store. */
import { cmpStr } from "../domain/compare.ts";
import { round4 } from "../domain/rounding.ts";
import type { Alert } from "../types.ts";

/**
 * A boosted score that stays within 0..1 and keeps the order of scores: 1 − (1 − score)^m.
 * With m = 1.25 a score of 0.5 becomes 0.5796; m = 1 leaves it unchanged.
 */
export function applyBoost(score: number, multiplier: number): number {
  return round4(1 - (1 - Math.min(1, Math.max(0, score))) ** Math.max(1, multiplier));
}

/** Ranks alerts: score desc, amount at stake desc, id asc; ranks from 1 (id first, rank second in JSON). */
export function rankAlerts(alerts: readonly (Omit<Alert, "rank"> & { rank?: number })[]): Alert[] {
  return [...alerts]
    .sort((a, b) => b.score - a.score || b.amount - a.amount || cmpStr(a.id, b.id))
    .map(({ id, rank: _old, ...rest }, i) => ({ id, rank: i + 1, ...rest }));
}
