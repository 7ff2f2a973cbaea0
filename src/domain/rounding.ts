/** Rounding used for every number written to an output, so outputs are byte-stable across runs. */
export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

export function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
