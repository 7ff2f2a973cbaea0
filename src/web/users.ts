/**
 * Who may use the workbench and what they may do.
 *
 * Users come from a JSON file (`bidwatch serve --users FILE`):
 *
 *   { "users": [
 *     { "username": "wang", "name": "王分析", "role": "analyst", "secret": "scrypt$32768$8$1$<salt>$<hash>" },
 *     { "username": "jw01", "name": "市纪委联络员", "role": "liaison:discipline", "secret": "scrypt$…" } ] }
 *
 * Secrets are stored only as scrypt hashes (`hashSecret`, or `bidwatch hash-secret` on the command line);
 * unknown keys, unknown roles, duplicate usernames and plain-text secrets are errors.
 *
 * Roles:
 * - `analyst`: sees every alert; claim, triage, refer, record a result received on paper, close.
 * - `supervisor`: as analyst, plus accept on an agency's behalf and the admin pages.
 * - `liaison:<channel>` (inspection, discipline, public-security): sees only the alerts referred to that
 *   channel; accepts the referral and reports the result.
 */
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import { readFile } from "node:fs/promises";
import { z } from "zod";
import type { AlertRecord, ReferralChannel } from "../alerts/store.ts";
import { allowedOperations, type Operation } from "../alerts/workflow.ts";
import { BidwatchError } from "../errors.ts";

export const ROLES = [
  "analyst",
  "supervisor",
  "liaison:inspection",
  "liaison:discipline",
  "liaison:public-security",
] as const;
export type Role = (typeof ROLES)[number];

export interface User {
  readonly username: string;
  /** Display name (defaults to the username). */
  readonly name: string;
  readonly role: Role;
  /** The channel a liaison works for; null for analysts and supervisors. */
  readonly channel: ReferralChannel | null;
}

interface StoredUser extends User {
  readonly secret: string;
}

export class UsersConfigError extends BidwatchError {
  constructor(message: string) {
    super("E_USERS_CONFIG", `users: ${message}`);
    this.name = "UsersConfigError";
  }
}

// ---------------------------------------------------------------------------------------------------------
// Secrets (scrypt, RFC 7914)

export interface ScryptParams {
  /** CPU/memory cost, a power of two (default 2^15: 32 MiB, about 0.1 s). */
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

export const SCRYPT_DEFAULTS: ScryptParams = { N: 32768, r: 8, p: 1 };
const KEY_LENGTH = 32;
const HASH_RE = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9_-]{16,})\$([A-Za-z0-9_-]{40,})$/;

function derive(secret: string, salt: Buffer, params: ScryptParams, keylen: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(
      secret.normalize("NFC"),
      salt,
      keylen,
      { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 1024 * 1024 },
      (err, key) => (err ? reject(err) : resolve(key)),
    );
  });
}

/** `scrypt$N$r$p$<salt>$<hash>` (base64url) for a secret, with a fresh 16-byte salt. */
export async function hashSecret(secret: string, params: ScryptParams = SCRYPT_DEFAULTS): Promise<string> {
  if (!secret) throw new UsersConfigError("an empty secret cannot be hashed");
  const salt = randomBytes(16);
  const key = await derive(secret, salt, params, KEY_LENGTH);
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString("base64url")}$${key.toString("base64url")}`;
}

function parseHash(stored: string): { params: ScryptParams; salt: Buffer; key: Buffer } | undefined {
  const m = HASH_RE.exec(stored);
  if (!m) return undefined;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (N < 2 || (N & (N - 1)) !== 0 || N > 2 ** 20 || r < 1 || r > 32 || p < 1 || p > 16) return undefined;
  return {
    params: { N, r, p },
    salt: Buffer.from(m[4] as string, "base64url"),
    key: Buffer.from(m[5] as string, "base64url"),
  };
}

/** Checks a secret against a stored hash in constant time (false for a malformed hash). */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const h = parseHash(stored);
  if (!h) return false;
  const key = await derive(secret, h.salt, h.params, h.key.length);
  return key.length === h.key.length && timingSafeEqual(key, h.key);
}

// ---------------------------------------------------------------------------------------------------------
// The users file

const userSchema = z.strictObject({
  username: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, "letters, digits, dot, underscore or hyphen (1–64)"),
  name: z.string().trim().min(1).max(100).optional(),
  role: z.enum(ROLES),
  secret: z.string().regex(HASH_RE, "must be a scrypt hash (make one with `bidwatch hash-secret`)"),
});
const usersFileSchema = z.strictObject({ users: z.array(userSchema).min(1) });

function toUser(u: z.infer<typeof userSchema>): StoredUser {
  const channel = u.role.startsWith("liaison:") ? (u.role.slice("liaison:".length) as ReferralChannel) : null;
  return { username: u.username, name: u.name ?? u.username, role: u.role, channel, secret: u.secret };
}

/** The users of the workbench, with secret checking. */
export class UserDirectory {
  private readonly byName: Map<string, StoredUser>;
  /** Checked when the username is unknown, so a miss costs as much as a wrong secret. */
  private readonly decoy: string;

  constructor(users: readonly StoredUser[]) {
    this.byName = new Map(users.map((u) => [u.username, u]));
    this.decoy = users[0]?.secret ?? "";
  }

  /** Validates the parsed JSON of a users file. */
  static fromJson(data: unknown, source = "users file"): UserDirectory {
    const parsed = usersFileSchema.safeParse(data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? ` at ${issue.path.join(".")}` : "";
      throw new UsersConfigError(`${source}${where}: ${issue?.message ?? "invalid"}`);
    }
    const seen = new Set<string>();
    for (const u of parsed.data.users) {
      if (seen.has(u.username))
        throw new UsersConfigError(`${source}: username "${u.username}" appears twice`);
      seen.add(u.username);
      const h = parseHash(u.secret);
      if (!h)
        throw new UsersConfigError(`${source}: the secret of "${u.username}" has unusable scrypt parameters`);
    }
    return new UserDirectory(parsed.data.users.map(toUser));
  }

  static async load(path: string): Promise<UserDirectory> {
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (err) {
      throw new UsersConfigError(
        `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)}); ` +
          "create it as described in docs/web.md (secrets from `bidwatch hash-secret`)",
      );
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (err) {
      throw new UsersConfigError(`${path} is not valid JSON: ${(err as Error).message}`);
    }
    return UserDirectory.fromJson(data, path);
  }

  get size(): number {
    return this.byName.size;
  }

  /** The user when the secret is right, else undefined (same work either way). */
  async authenticate(username: string, secret: string): Promise<User | undefined> {
    const u = this.byName.get(username);
    const ok = await verifySecret(secret, u?.secret ?? this.decoy);
    if (!u || !ok) return undefined;
    const { secret: _s, ...user } = u;
    return user;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Permissions

const OPS_BY_ROLE: Readonly<Record<"analyst" | "supervisor" | "liaison", readonly Operation[]>> = {
  analyst: ["claim", "triage", "refer", "feedback", "close"],
  supervisor: ["claim", "triage", "refer", "accept", "feedback", "close"],
  liaison: ["accept", "feedback"],
};

function roleKind(user: User): keyof typeof OPS_BY_ROLE {
  return user.channel ? "liaison" : (user.role as "analyst" | "supervisor");
}

/** Operations this user's role may perform at all. */
export function roleOperations(user: User): readonly Operation[] {
  return OPS_BY_ROLE[roleKind(user)];
}

/** A liaison sees only alerts referred to their channel; analysts and supervisors see every alert. */
export function canSee(user: User, alert: Pick<AlertRecord, "referred_channel">): boolean {
  return user.channel === null || alert.referred_channel === user.channel;
}

/** What this user may do to this alert now: the workflow's allowed operations that the role permits. */
export function operationsFor(
  user: User,
  alert: Pick<AlertRecord, "status" | "accepted_at" | "referred_channel">,
): Operation[] {
  if (!canSee(user, alert)) return [];
  const mine = new Set(roleOperations(user));
  return allowedOperations(alert).filter((op) => mine.has(op));
}

export function isAdmin(user: User): boolean {
  return user.role === "supervisor";
}
