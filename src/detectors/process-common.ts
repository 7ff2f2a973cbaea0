/**
 * Small helpers shared by the process-flag detectors (single-bid.ts … short-submission-period.ts): settings
 * checks, deterministic ordering, fence facts and number formatting. Pure.
 */
import { cmpStr } from "../domain/compare.ts";
import { BidwatchError } from "../errors.ts";
import type { Fence } from "../features/process.ts";
import type { Finding } from "../types.ts";

/** Throws `E_SETTINGS` for a key the rule does not know or a weight outside 0..1 (no setting is silently ignored). */
export function checkSettings(rule: string, defaults: object, settings: object): void {
  for (const key of Object.keys(settings)) {
    if (!(key in defaults)) throw new BidwatchError("E_SETTINGS", `${rule}: unknown setting "${key}"`);
  }
  const weight = (settings as { weight?: unknown }).weight;
  if (typeof weight !== "number" || !(weight >= 0 && weight <= 1)) {
    throw new BidwatchError("E_SETTINGS", `${rule}: weight must be a number in 0..1, got ${String(weight)}`);
  }
}

export function settingsError(rule: string, message: string): BidwatchError {
  return new BidwatchError("E_SETTINGS", `${rule}: ${message}`);
}

/**
 * Sorts findings in place: tender findings by tenders then firms, firm findings by firms then tenders, then by
 * an optional extra key (explicit tie-breakers, code-unit order).
 */
export function sortFindings(findings: Finding[], extra: (f: Finding) => string = () => ""): Finding[] {
  const key = (f: Finding): [string, string] =>
    f.kind === "firm" ? [f.firms.join(","), f.tenders.join(",")] : [f.tenders.join(","), f.firms.join(",")];
  return findings.sort((a, b) => {
    const [a1, a2] = key(a);
    const [b1, b2] = key(b);
    return cmpStr(a.kind, b.kind) || cmpStr(a1, b1) || cmpStr(a2, b2) || cmpStr(extra(a), extra(b));
  });
}

/** Sorted distinct ids. */
export function uniqSorted(ids: Iterable<string>): string[] {
  return [...new Set(ids)].sort(cmpStr);
}

/** `method` is in `methods`; `null` means every method (and a missing method) matches. */
export function methodMatches(method: string | null, methods: readonly string[] | null): boolean {
  if (methods === null) return true;
  return method !== null && methods.includes(method.trim());
}

/** Rounds a ratio or fence for output (cardinal-rs reports 4 decimals; 6 keep small differences visible). */
export function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** The quartiles and fences behind a flag, as written into facts. */
export function fenceFacts(fence: Fence): Record<string, number> {
  return {
    n: fence.n,
    q1: round6(fence.q1),
    q3: round6(fence.q3),
    iqr: round6(fence.iqr),
    lower_fence: round6(fence.lower_fence),
    upper_fence: round6(fence.upper_fence),
  };
}

/** A ratio as a percentage for texts: 0.0123 → "1.23%". */
export function pct(x: number): string {
  return `${(x * 100).toFixed(2)}%`;
}

/** Yuan for texts, two decimals. */
export function yuan(x: number): string {
  return x.toFixed(2);
}
