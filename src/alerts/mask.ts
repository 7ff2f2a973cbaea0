/**
 * Masking of personal data for public (公示) exports (pure). Inside any text it replaces:
 * - resident ID numbers (居民身份证号, 18 characters, last may be X): first 4 and last 4 kept,
 *   `330102198001011234` → `3301**********1234`;
 * - mobile phones `1[3-9]` + 9 digits (optionally +86 / spaced / hyphenated): `138****5678`;
 * - landlines with an area code (`0571-87654321`, `(0571)87654321`, `010 12345678`, 11–12 digits
 *   starting with 0): area code and last 4 kept, `0571-****4321`;
 * - bank accounts, 12–25 digits (also in groups of 4 separated by spaces): first 4 and last 4 kept.
 * A match must not touch other letters or digits (so ids like `E330100…` or hashes are not cut apart).
 * Values listed in `keep` (firm and tender ids of the alert) are never masked. Numbers are not masked:
 * identifiers are text everywhere in bidwatch.
 */

export interface MaskOptions {
  /** Exact values never masked (e.g. firm USCCs and tender ids, which are public). */
  readonly keep?: ReadonlySet<string>;
}

const B = "(?<![0-9A-Za-z])";
const E = "(?![0-9A-Za-z])";

const ID_RE = new RegExp(`${B}\\d{17}[\\dXx]${E}`, "g");
const MOBILE_RE = new RegExp(`${B}(\\+?86[ -]?)?(1[3-9]\\d)[ -]?(\\d{4})[ -]?(\\d{4})${E}`, "g");
const LANDLINE_RE = new RegExp(
  `${B}(?:[(（](0\\d{2,3})[)）][ -]?|(0\\d{2,3})[ -])(\\d{7,8})(?:-(\\d{1,6}))?${E}|${B}(0[1-9]\\d{9,10})${E}`,
  "g",
);
const ACCOUNT_RE = new RegExp(`${B}(?:\\d{12,25}|\\d{4}(?: \\d{4}){2,5}(?: \\d{1,4})?)${E}`, "g");

function stars(n: number): string {
  return "*".repeat(Math.max(0, n));
}

function keepEnds(s: string, head: number, tail: number): string {
  if (s.length <= head + tail) return stars(s.length);
  return s.slice(0, head) + stars(s.length - head - tail) + s.slice(s.length - tail);
}

function maskSegment(s: string): string {
  return s
    .replace(ID_RE, (m) => keepEnds(m, 4, 4))
    .replace(
      MOBILE_RE,
      (_m, cc: string | undefined, a: string, _b: string, c: string) => `${cc ?? ""}${a}****${c}`,
    )
    .replace(
      LANDLINE_RE,
      (
        _m,
        area1: string | undefined,
        area2: string | undefined,
        local: string | undefined,
        _ext,
        bare: string | undefined,
      ) => {
        if (bare) {
          const areaLen = bare.startsWith("01") || bare.startsWith("02") ? 3 : 4;
          const num = bare.slice(areaLen);
          return `${bare.slice(0, areaLen)}-${stars(num.length - 4)}${num.slice(-4)}`;
        }
        const area = area1 ?? area2 ?? "";
        const n = local ?? "";
        return `${area}-${stars(n.length - 4)}${n.slice(-4)}`;
      },
    )
    .replace(ACCOUNT_RE, (m) => keepEnds(m.replaceAll(" ", ""), 4, 4));
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

const keepCache = new WeakMap<ReadonlySet<string>, RegExp | null>();

function keepRe(keep: ReadonlySet<string> | undefined): RegExp | null {
  if (!keep || keep.size === 0) return null;
  let re = keepCache.get(keep);
  if (re === undefined) {
    const parts = [...keep]
      .filter((k) => k.length > 0)
      .sort((a, b) => b.length - a.length)
      .map(escapeRe);
    re = parts.length ? new RegExp(`${B}(?:${parts.join("|")})${E}`, "g") : null;
    keepCache.set(keep, re);
  }
  return re;
}

/** Masks ID numbers, phones and bank accounts in a text; kept values pass unchanged. */
export function maskText(s: string, options: MaskOptions = {}): string {
  const re = keepRe(options.keep);
  if (!re) return maskSegment(s);
  let out = "";
  let last = 0;
  for (const m of s.matchAll(re)) {
    const i = m.index ?? 0;
    out += maskSegment(s.slice(last, i)) + m[0];
    last = i + m[0].length;
  }
  return out + maskSegment(s.slice(last));
}

/** A deep copy of `value` with every string masked (object keys are left alone). Input is not mutated. */
export function maskDeep<T>(value: T, options: MaskOptions = {}): T {
  return maskValue(value, options) as T;
}

function maskValue(v: unknown, options: MaskOptions): unknown {
  if (typeof v === "string") return maskText(v, options);
  if (Array.isArray(v)) return v.map((x) => maskValue(x, options));
  if (v instanceof Date) return new Date(v.getTime());
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = maskValue(x, options);
    return out;
  }
  return v;
}

/** Unmasked personal data left in a text (kept values excluded): the findings, for checks and tests. */
export function findSensitive(s: string, options: MaskOptions = {}): string[] {
  const re = keepRe(options.keep);
  const text = re ? s.replace(re, " ") : s;
  const found: string[] = [];
  for (const r of [ID_RE, MOBILE_RE, LANDLINE_RE, ACCOUNT_RE]) {
    for (const m of text.matchAll(r)) found.push(m[0]);
  }
  return found;
}
