/**
 * Evidence facts laid out for the evidence table (pure): the shared values that tie the firms together,
 * the statistics, and the thresholds or fences that fired. Detectors write different fact shapes
 * (docs/detectors.md); known keys go to their column, every other scalar is a statistic, and the full facts
 * stay available as JSON, so nothing is hidden.
 */
import type { Evidence } from "../types.ts";

export interface EvidenceView {
  readonly rule: string;
  readonly weight: number;
  readonly text_zh: string;
  readonly text_en: string;
  readonly shared: readonly string[];
  readonly statistics: readonly (readonly [string, string])[];
  readonly thresholds: readonly (readonly [string, string])[];
  readonly tenders: readonly string[];
  /** The full facts, pretty-printed. */
  readonly json: string;
}

/** Numbers with at most 4 decimals (integers as they are). */
export function fmtNum(x: number): string {
  if (Number.isInteger(x)) return String(x);
  return String(Math.round(x * 10_000) / 10_000);
}

function fmtScalar(v: unknown): string {
  if (typeof v === "number") return fmtNum(v);
  if (typeof v === "boolean") return v ? "true" : "false";
  if (v === null || v === undefined) return "—";
  if (Array.isArray(v)) return v.map(fmtScalar).join(", ");
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

/** key.sub = value pairs of a (nested) object. */
function flatten(prefix: string, v: unknown, out: [string, string][]): void {
  if (v !== null && typeof v === "object" && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) flatten(prefix ? `${prefix}.${k}` : k, x, out);
  } else out.push([prefix, fmtScalar(v)]);
}

const THRESHOLD_KEY = /fence|threshold|^k$|^min_|^max_|^tolerance$/;
const SHARED_LIST_KEYS = [
  "winner",
  "winners",
  "lowest_firms",
  "second_lowest_firms",
  "disqualify_reasons",
  "first_firm",
] as const;

type Row = Record<string, unknown>;
const isRow = (v: unknown): v is Row => v !== null && typeof v === "object" && !Array.isArray(v);

export function evidenceView(e: Evidence): EvidenceView {
  const facts = e.facts as Row;
  const used = new Set<string>(["thresholds", "tenders", "tender_id", "settings", "defaults"]);
  const shared: string[] = [];
  const statistics: [string, string][] = [];
  const thresholds: [string, string][] = [];

  if (isRow(facts.thresholds)) flatten("", facts.thresholds, thresholds);
  if (Array.isArray(facts.shared_values)) {
    const field = typeof facts.field === "string" ? `${facts.field}: ` : "";
    shared.push(`${field}${facts.shared_values.map(fmtScalar).join(", ")}`);
    used.add("shared_values").add("field");
  }
  if (Array.isArray(facts.shared)) {
    for (const s of facts.shared.filter(isRow)) {
      const n = Array.isArray(s.tenders) ? ` (${s.tenders.length})` : "";
      shared.push(`${fmtScalar(s.field)}: ${fmtScalar(s.value)}${n}`);
    }
    used.add("shared");
  }
  if (Array.isArray(facts.people)) {
    for (const p of facts.people.filter(isRow)) {
      const roles = [p.roles_a, p.roles_b].filter(Array.isArray).map(fmtScalar).join(" / ");
      shared.push(`person ${fmtScalar(p.person_id)}${roles ? ` (${roles})` : ""}`);
      if (typeof p.person_firms === "number")
        statistics.push([`firms of ${fmtScalar(p.person_id)}`, fmtNum(p.person_firms)]);
    }
    used.add("people");
  }
  if (typeof facts.subject_id === "string") {
    const who = typeof facts.subject_type === "string" ? `${facts.subject_type} ` : "";
    const shown = typeof facts.subject_id_masked === "string" ? facts.subject_id_masked : facts.subject_id;
    const period =
      typeof facts.start_date === "string" ? ` (${facts.start_date} – ${fmtScalar(facts.end_date)})` : "";
    const reason = typeof facts.reason === "string" ? `: ${facts.reason}` : "";
    shared.push(`${who}${shown}${reason}${period}`);
    for (const k of ["subject_id", "subject_id_masked", "subject_type", "start_date", "end_date", "reason"])
      used.add(k);
  }
  for (const k of SHARED_LIST_KEYS) {
    if (facts[k] !== undefined && facts[k] !== null) {
      shared.push(`${k}: ${fmtScalar(facts[k])}`);
      used.add(k);
    }
  }
  if (Array.isArray(facts.edges)) {
    statistics.push(["edges", String(facts.edges.length)]);
    used.add("edges");
  }
  if (Array.isArray(facts.screens)) {
    for (const s of facts.screens.filter(isRow)) {
      statistics.push([String(s.screen), fmtScalar(s.value)]);
      thresholds.push([
        `${String(s.screen)} fence`,
        `${fmtScalar(s.lower_fence)} – ${fmtScalar(s.upper_fence)} (Q1 ${fmtScalar(s.q1)}, Q3 ${fmtScalar(s.q3)}, ${fmtScalar(s.basis)})`,
      ]);
    }
    used.add("screens");
  }

  for (const [k, v] of Object.entries(facts)) {
    if (used.has(k)) continue;
    if (THRESHOLD_KEY.test(k)) {
      flatten(k, v, thresholds);
    } else if (typeof v === "number" || typeof v === "boolean") {
      statistics.push([k, fmtScalar(v)]);
    } else if (typeof v === "string" && v.length <= 80) {
      statistics.push([k, v]);
    } else if (Array.isArray(v) && v.every((x) => typeof x === "string" || typeof x === "number")) {
      statistics.push([k, fmtScalar(v)]);
    } else if (Array.isArray(v)) {
      statistics.push([k, `${v.length} ×`]);
    } else if (isRow(v)) {
      flatten(k, v, statistics);
    }
  }

  const tenders = Array.isArray(facts.tenders)
    ? facts.tenders.filter((t): t is string => typeof t === "string")
    : typeof facts.tender_id === "string"
      ? [facts.tender_id]
      : [];
  return {
    rule: e.rule,
    weight: e.weight,
    text_zh: e.text_zh,
    text_en: e.text_en,
    shared,
    statistics,
    thresholds,
    tenders,
    json: JSON.stringify(e.facts, null, 2),
  };
}
