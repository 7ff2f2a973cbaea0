/** Locale-independent string order (code units), the explicit tie-breaker for every sorted output. */
export function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
