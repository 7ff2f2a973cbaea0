/**
 * Cross-site request forgery protection.
 *
 * - Signed-in requests: synchronizer token. Each session has a random token (sessions.ts); every form that
 *   changes state carries it in the hidden field `_csrf` (or a script sends it as `X-CSRF-Token`), and
 *   the server compares it with the session's token in constant time. A cross-site page can make the
 *   browser send the cookie (it cannot, with SameSite=Strict, but older browsers might) but cannot read
 *   the token.
 * - The sign-in form (no session yet): double-submit cookie. GET /login sets a random token in a
 *   SameSite=Strict cookie and puts the same token in the form; POST /login needs both to match.
 * - Additionally, a request the browser marks `Sec-Fetch-Site: cross-site` is refused outright.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";

export const CSRF_FIELD = "_csrf";
export const CSRF_HEADER = "x-csrf-token";

/** 256 random bits, base64url. */
export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

/** Constant-time comparison; false when either side is missing or empty. */
export function tokensMatch(expected: string | undefined, given: string | undefined): boolean {
  if (!expected || !given) return false;
  const a = Buffer.from(expected, "utf8");
  const b = Buffer.from(given, "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
}
