/**
 * Identifier formats of Chinese trading data, built from seeded random numbers: unified social
 * credit codes, resident ID numbers, phones, bank accounts, IPs, MACs, machine ids, dongles, hashes.
 * Uniqueness is the caller's business (see `Unique`): these functions only format.
 */
import { USCC_ALPHABET, usccCheckChar } from "../domain/uscc.ts";
import type { Rng } from "./rng.ts";

const GB11714_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2] as const;

/**
 * Organisation code (组织机构代码, GB 11714-1997): 8 digits and a check character
 *   c9 = 11 - (Σ value(c_i) · w_i mod 11), with 10 → "X" and 11 → "0".
 * `n` (0 ≤ n < 10^8) is spread over the code space by multiplying with a unit modulo 10^8, so
 * distinct n give distinct codes.
 */
export function orgCode(n: number, salt: number): string {
  const body = String((((n * 37614219 + salt) % 1e8) + 1e8) % 1e8).padStart(8, "0");
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += Number(body[i]) * (GB11714_WEIGHTS[i] as number);
  const c = 11 - (sum % 11);
  return body + (c === 10 ? "X" : c === 11 ? "0" : String(c));
}

/**
 * Unified social credit code: registration authority (9 = market regulator, 1 = government body,
 * 1 as second char = enterprise / organ), the 6-digit 行政区划 code, the organisation code, check char.
 */
export function uscc(authority: string, kind: string, regionCode: string, org9: string): string {
  const first17 = `${authority}${kind}${regionCode}${org9}`;
  const check = usccCheckChar(first17);
  if (check === undefined) throw new Error(`generate: cannot build a credit code from "${first17}"`);
  return first17 + check;
}

/** The same code with a wrong check character (for injected bad rows). */
export function breakUsccCheck(code: string): string {
  const check = code[17] ?? "0";
  const i = USCC_ALPHABET.indexOf(check);
  return code.slice(0, 17) + USCC_ALPHABET[(i + 7) % USCC_ALPHABET.length];
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const ID_CHECK = "10X98765432";

/** Check character of a PRC resident ID number (GB 11643, ISO 7064 MOD 11-2) for its first 17 digits. */
export function residentIdCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (ID_WEIGHTS[i] as number);
  return ID_CHECK[sum % 11] as string;
}

export function isValidResidentId(id: string): boolean {
  return /^\d{17}[\dX]$/.test(id) && residentIdCheckChar(id.slice(0, 17)) === id[17];
}

/** Resident ID: region code, birth date YYYYMMDD, 3-digit sequence, check character. */
export function residentId(regionCode: string, birthDate: string, seq: number): string {
  const first17 = `${regionCode}${birthDate}${String(seq).padStart(3, "0")}`;
  return first17 + residentIdCheckChar(first17);
}

const MOBILE_PREFIXES = [
  130, 131, 132, 133, 135, 136, 137, 138, 139, 150, 151, 152, 155, 156, 157, 158, 159, 166, 176, 177, 180,
  181, 182, 183, 185, 186, 187, 188, 189, 198, 199,
];

/** A mobile number as an integer (11 digits, fits a double exactly). */
export function mobileNumber(rng: Rng): number {
  return rng.pick(MOBILE_PREFIXES) * 1e8 + rng.int(0, 99_999_999);
}

/** A landline in "0571-86123456" form, as area code digits and the 8-digit local number. */
export function landline(areaCode: string, rng: Rng): { key: number; text: string } {
  const local = rng.pick([5, 6, 8]) * 1e7 + rng.int(0, 9_999_999);
  return { key: Number(areaCode) * 1e8 + local, text: `${areaCode}-${local}` };
}

const BANK_PREFIXES = ["1202", "3301", "6222", "3310", "1901", "7331", "0404", "3902"];

/** A 19-digit corporate account number (collisions are astronomically unlikely: 15 random digits). */
export function bankAccount(rng: Rng): string {
  return rng.pick(BANK_PREFIXES) + rng.digits(15);
}

/** Public IPv4 first octets used for firms' office lines (telecom/unicom blocks). */
export const OFFICE_IP_PREFIXES = [60, 61, 115, 122, 125, 183, 220, 222] as const;
/** First octets reserved for one-off uploads (home broadband, mobile hotspots). */
export const ONE_OFF_IP_PREFIXES = [36, 39, 42, 49, 101, 112, 117, 223] as const;

/** An IPv4 address as an unsigned 32-bit integer in one of the `firstOctets` blocks. */
export function ipv4(firstOctets: readonly number[], rng: Rng): number {
  return rng.pick(firstOctets) * 16777216 + rng.int(1, 16777214);
}

export function formatIp(n: number): string {
  return `${Math.floor(n / 16777216) % 256}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/**
 * A one-off address that never repeats for distinct `k` (0 ≤ k < 2^27): k is permuted by an odd
 * multiplier modulo 2^27; the top 3 bits choose one of the reserved first octets.
 */
export function oneOffIp(k: number): string {
  const p = Math.imul(k & 0x7ffffff, 0x2f1c3b5) & 0x7ffffff;
  const first = ONE_OFF_IP_PREFIXES[p >>> 24] as number;
  return `${first}.${(p >>> 16) & 255}.${(p >>> 8) & 255}.${p & 255}`;
}

const MAC_OUIS = [
  0x00e04c, 0x3c7c3f, 0xf02f74, 0x8cec4b, 0x54e1ad, 0x1c697a, 0xb42e99, 0x00155d, 0x708bcd, 0xd45d64,
];

/** A 48-bit MAC address as a (safe) integer: vendor OUI and 24 random bits. */
export function macNumber(rng: Rng): number {
  return rng.pick(MAC_OUIS) * 16777216 + rng.int(0, 16777215);
}

/** Upper-case colon form, e.g. "3C:7C:3F:0A:1B:2C". */
export function formatMac(n: number): string {
  const hex = n.toString(16).toUpperCase().padStart(12, "0");
  return `${hex.slice(0, 2)}:${hex.slice(2, 4)}:${hex.slice(4, 6)}:${hex.slice(6, 8)}:${hex.slice(8, 10)}:${hex.slice(10, 12)}`;
}

/** Machine fingerprint: CPU id and disk serial, 24 upper-case hex characters (96 random bits). */
export function hardwareId(rng: Rng): string {
  return rng.hex(24).toUpperCase();
}

/** Cost-estimation software dongle serial as an integer (10 digits). */
export function lockNumber(rng: Rng): number {
  return rng.int(1000, 9999) * 1e6 + rng.int(0, 999_999);
}

/** An md5-like hex digest (32 lower-case hex characters) drawn from the rng. */
export function md5Like(rng: Rng): string {
  return rng.hex(32);
}

/** Draws from `draw` until it returns a number not yet in `taken`, then records it. */
export function drawUnique(taken: Set<number>, draw: () => number): number {
  for (;;) {
    const v = draw();
    if (!taken.has(v)) {
      taken.add(v);
      return v;
    }
  }
}
