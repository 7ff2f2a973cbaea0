/**
 * Unified social credit code (统一社会信用代码), GB 32100-2015: 18 characters from a 31-character
 * alphabet (digits and upper-case letters without I, O, Z, S, V); the last is a check character:
 *   c18 = 31 - (Σ_{i=1..17} value(c_i) · w_i mod 31), with 31 → 0 and w_i = 3^(i-1) mod 31.
 * The SQL macro `uscc_valid` in src/ingest/macros.sql implements the same rule; tests cross-check them.
 */
export const USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";
export const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;

/** The check character for the first 17 characters of a code, or undefined if they are not in the alphabet. */
export function usccCheckChar(first17: string): string | undefined {
  if (first17.length !== 17) return undefined;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = USCC_ALPHABET.indexOf(first17[i] as string);
    if (v < 0) return undefined;
    sum += v * (USCC_WEIGHTS[i] as number);
  }
  const c = (31 - (sum % 31)) % 31;
  return USCC_ALPHABET[c];
}

export function isValidUscc(code: string): boolean {
  if (code.length !== 18) return false;
  return usccCheckChar(code.slice(0, 17)) === code[17];
}
