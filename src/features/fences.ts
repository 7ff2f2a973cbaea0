/**
 * Tukey fences for screens: per group (e.g. category × size band) Q1, median, Q3, IQR and
 * lower/upper fences Q1 − k·IQR and Q3 + k·IQR (k = 1.5), falling back to the distribution of all
 * tenders when a group has fewer than `minGroupSize` finite values. The same rule cardinal-rs uses to
 * turn its indicators into flags (docs/screens.md, "Fences").
 */
import { type Db, ident, sqlSection } from "../db/duckdb.ts";
import { BidwatchError } from "../errors.ts";

/** Groups with fewer finite values of a screen than this use the global quartiles. */
export const DEFAULT_MIN_GROUP_SIZE = 30;
/** Tukey's fence width in IQRs. */
export const DEFAULT_FENCE_K = 1.5;

export interface ComputeFencesOptions {
  /** Table with one row per tender holding the screen and group columns; defaults to `tender_screens`. */
  readonly source?: string;
  readonly minGroupSize?: number;
  readonly k?: number;
}

/** One row of `screen_fences`; the group-by columns are present under their own names. */
export interface ScreenFence {
  readonly screen: string;
  /** Finite values of the screen in the group. */
  readonly n_group: number;
  /** Whether the quartiles come from the group itself or from all tenders (group too small). */
  readonly basis: "group" | "global";
  /** Number of values the quartiles were computed from. */
  readonly n_basis: number;
  readonly q1: number;
  readonly median: number;
  readonly q3: number;
  readonly iqr: number;
  readonly lower_fence: number;
  readonly upper_fence: number;
}

const OUTPUT_COLUMNS = new Set([
  "screen",
  "value",
  "n_group",
  "basis",
  "n_basis",
  "q1",
  "median",
  "q3",
  "iqr",
  "lower_fence",
  "upper_fence",
]);
const KNOWN_OPTIONS = new Set(["source", "minGroupSize", "k"]);

const q = (name: string) => sqlSection(import.meta.url, "fences.sql", name);

function inputError(message: string): BidwatchError {
  return new BidwatchError("E_FENCES_INPUT", `fences: ${message}`);
}

/**
 * Builds table `screen_fences`: one row per screen × observed group (NULL is a group of its own; join
 * back with `IS NOT DISTINCT FROM`). Non-finite and NULL screen values are ignored.
 * Throws `E_FENCES_INPUT` for unknown options, missing or clashing columns and bad numbers.
 */
export async function computeFences(
  db: Db,
  screenCols: readonly string[],
  groupBy: readonly string[],
  opts: ComputeFencesOptions = {},
): Promise<void> {
  for (const key of Object.keys(opts))
    if (!KNOWN_OPTIONS.has(key)) throw inputError(`unknown option "${key}"`);
  const source = opts.source ?? "tender_screens";
  const minGroupSize = opts.minGroupSize ?? DEFAULT_MIN_GROUP_SIZE;
  const k = opts.k ?? DEFAULT_FENCE_K;
  if (!Number.isInteger(minGroupSize) || minGroupSize < 1) {
    throw inputError(`minGroupSize must be a positive integer, got ${minGroupSize}`);
  }
  if (!Number.isFinite(k) || k < 0) throw inputError(`k must be a finite number ≥ 0, got ${k}`);
  if (screenCols.length === 0) throw inputError("no screen columns given");
  const all = [...screenCols, ...groupBy];
  const dup = all.find((c, i) => all.indexOf(c) !== i);
  if (dup !== undefined) throw inputError(`column "${dup}" is listed twice`);
  const clash = groupBy.find((c) => OUTPUT_COLUMNS.has(c));
  if (clash !== undefined) throw inputError(`group column "${clash}" clashes with an output column`);

  const columns = await db.all<{ column_name: string }>(`DESCRIBE ${ident(source)}`).catch((err: unknown) => {
    const msg = err instanceof Error ? err.message.split("\n")[0] : String(err);
    throw inputError(`cannot read table "${source}": ${msg}`);
  });
  const have = new Set(columns.map((c) => c.column_name));
  const missing = all.filter((c) => !have.has(c));
  if (missing.length > 0) throw inputError(`table "${source}" lacks column(s) ${missing.join(", ")}`);

  const sql = q("screen_fences")
    .replaceAll("{{source}}", ident(source))
    .replaceAll("{{group_prefix}}", groupBy.map((c) => `${ident(c)}, `).join(""))
    .replaceAll(
      "{{screen_select}}",
      screenCols.map((c) => `CAST(${ident(c)} AS DOUBLE) AS ${ident(c)}`).join(", "),
    )
    .replaceAll("{{screen_cols}}", screenCols.map(ident).join(", "));
  await db.exec(sql, { min_group_size: minGroupSize, k });
}

/** Reads `screen_fences` back, sorted by group columns then screen. */
export async function readScreenFences(db: Db): Promise<(ScreenFence & Record<string, unknown>)[]> {
  return db.all<ScreenFence & Record<string, unknown>>(q("read_screen_fences"));
}
