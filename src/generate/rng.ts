/**
 * Seeded pseudo-random numbers for the sample-data generator. Never Math.random, never the clock:
 * the same seed words always give the same sequence on every platform.
 *
 * Generator: sfc32 (Chris Doty-Humphrey's "small fast counting" generator from PractRand), four
 * 32-bit words of state, period ≥ 2^32. Seeding: the seed words are mixed with MurmurHash3's fmix32
 * finaliser into the four state words, then 12 outputs are discarded.
 */

const TWO_32 = 4294967296;
const HEX_BYTE = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** MurmurHash3 32-bit finaliser: a bijective avalanche mix of one 32-bit word. */
function fmix32(h: number): number {
  let x = h >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Splits a safe integer (possibly negative or ≥ 2^32) into low and high 32-bit words. */
function words(n: number): [number, number] {
  const v = Number.isSafeInteger(n) ? n : Math.trunc(n) || 0;
  const lo = ((v % TWO_32) + TWO_32) % TWO_32;
  const hi = Math.floor(v / TWO_32);
  return [lo >>> 0, hi >>> 0];
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare: number | undefined;

  private constructor(a: number, b: number, c: number, d: number) {
    this.a = a | 0;
    this.b = b | 0;
    this.c = c | 0;
    this.d = d | 0;
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** A generator determined by a list of integers (e.g. seed, stream id, tender index). */
  static from(...seedWords: readonly number[]): Rng {
    let h = 0x9e3779b9;
    for (const w of seedWords) {
      const [lo, hi] = words(w);
      h = fmix32((h ^ lo) + 0x7f4a7c15);
      h = fmix32((h ^ hi) + 0x165667b1);
    }
    return new Rng(
      fmix32(h ^ 0x243f6a88),
      fmix32(h ^ 0x85a308d3),
      fmix32(h ^ 0x13198a2e),
      fmix32(h ^ 0x03707344),
    );
  }

  /** Next unsigned 32-bit integer. */
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.u32() / TWO_32;
  }

  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.float();
  }

  /** Uniform integer in [lo, hi], both inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  /** A uniformly chosen element; throws on an empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("generate: rng.pick from an empty list");
    return items[Math.floor(this.float() * items.length)] as T;
  }

  /** An index drawn with probability proportional to `weights` (non-negative, not all zero). */
  weighted(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let x = this.float() * total;
    for (let i = 0; i < weights.length; i++) {
      x -= weights[i] as number;
      if (x < 0) return i;
    }
    return weights.length - 1;
  }

  /** Fisher–Yates shuffle of `items` in place; returns the same array. */
  shuffleInPlace<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.float() * (i + 1));
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }

  /** A shuffled copy; the input is not mutated. */
  shuffled<T>(items: readonly T[]): T[] {
    return this.shuffleInPlace(items.slice());
  }

  /** Normal(mean, sd) by the Box–Muller transform (the second variate is kept for the next call). */
  normal(mean = 0, sd = 1): number {
    if (this.spare !== undefined) {
      const z = this.spare;
      this.spare = undefined;
      return mean + sd * z;
    }
    let u = this.float();
    while (u === 0) u = this.float();
    const v = this.float();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return mean + sd * r * Math.cos(2 * Math.PI * v);
  }

  /** Log-normal: exp(Normal(mu, sigma)); the median is exp(mu). */
  lognormal(mu: number, sigma: number): number {
    return Math.exp(this.normal(mu, sigma));
  }

  /** `n` lower-case hexadecimal characters. */
  hex(n: number): string {
    let s = "";
    while (s.length < n) {
      const x = this.u32();
      s +=
        (HEX_BYTE[x >>> 24] as string) +
        HEX_BYTE[(x >>> 16) & 255] +
        HEX_BYTE[(x >>> 8) & 255] +
        HEX_BYTE[x & 255];
    }
    return s.length === n ? s : s.slice(0, n);
  }

  /** `n` decimal digits (leading zeros allowed). */
  digits(n: number): string {
    let s = "";
    while (s.length < n) s += String(this.u32() % 1_000_000).padStart(6, "0");
    return s.slice(0, n);
  }
}

/**
 * Appends up to `k` distinct values of `pool` that pass `accept` to `into` (mutating `into`), drawn
 * uniformly: rejection sampling on large pools, a shuffled scan on small ones or when rejection
 * stalls. Returns `into`.
 */
export function sampleDistinctInto(
  rng: Rng,
  pool: readonly number[],
  k: number,
  accept: (value: number, chosen: readonly number[]) => boolean,
  into: number[],
): number[] {
  const target = into.length + k;
  if (pool.length > 4 * k + 16) {
    const limit = 30 * k + 30;
    for (let tries = 0; into.length < target && tries < limit; tries++) {
      const v = pool[Math.floor(rng.float() * pool.length)] as number;
      if (!into.includes(v) && accept(v, into)) into.push(v);
    }
    if (into.length >= target) return into;
  }
  for (const v of rng.shuffled(pool)) {
    if (into.length >= target) break;
    if (!into.includes(v) && accept(v, into)) into.push(v);
  }
  return into;
}
