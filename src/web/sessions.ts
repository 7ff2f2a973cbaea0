/**
 * Server-side sessions (in memory: a restart signs everyone out) and a sign-in throttle.
 * The browser holds only a random 256-bit session id in an HttpOnly, Secure, SameSite=Strict cookie; the
 * session holds the user and its CSRF token (synchronizer token, see csrf.ts).
 */
import type { Clock } from "../types.ts";
import { newToken } from "./csrf.ts";
import type { User } from "./users.ts";

export interface Session {
  readonly id: string;
  readonly user: User;
  /** Synchronizer token every state-changing request of this session must carry. */
  readonly csrf: string;
  readonly createdAt: number;
  lastSeenAt: number;
}

export interface SessionSettings {
  /** A session unused this long ends (default 2 hours). */
  readonly idleMs: number;
  /** A session ends this long after sign-in whatever happens (default 12 hours). */
  readonly maxAgeMs: number;
}

export const SESSION_DEFAULTS: SessionSettings = { idleMs: 2 * 3600_000, maxAgeMs: 12 * 3600_000 };

export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  private readonly settings: SessionSettings;

  constructor(
    private readonly clock: Clock,
    settings: Partial<SessionSettings> = {},
  ) {
    this.settings = { ...SESSION_DEFAULTS, ...settings };
  }

  /** A fresh session (new id, new CSRF token) for a user who has just signed in. */
  create(user: User): Session {
    this.sweep();
    const now = this.clock.now().getTime();
    const s: Session = { id: newToken(), user, csrf: newToken(), createdAt: now, lastSeenAt: now };
    this.sessions.set(s.id, s);
    return s;
  }

  /** The live session with this id (its idle timer restarts), or undefined. */
  get(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const s = this.sessions.get(id);
    if (!s) return undefined;
    const now = this.clock.now().getTime();
    if (now - s.lastSeenAt > this.settings.idleMs || now - s.createdAt > this.settings.maxAgeMs) {
      this.sessions.delete(id);
      return undefined;
    }
    s.lastSeenAt = now;
    return s;
  }

  destroy(id: string | undefined): void {
    if (id) this.sessions.delete(id);
  }

  get size(): number {
    return this.sessions.size;
  }

  private sweep(): void {
    const now = this.clock.now().getTime();
    for (const [id, s] of this.sessions) {
      if (now - s.lastSeenAt > this.settings.idleMs || now - s.createdAt > this.settings.maxAgeMs) {
        this.sessions.delete(id);
      }
    }
  }
}

/**
 * Slows down password guessing: after `maxFailures` failed sign-ins for one username within `windowMs`,
 * further attempts for that username are refused until the window has passed.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly clock: Clock,
    private readonly maxFailures = 5,
    private readonly windowMs = 15 * 60_000,
  ) {}

  private recent(key: string): number[] {
    const now = this.clock.now().getTime();
    const list = (this.failures.get(key) ?? []).filter((t) => now - t < this.windowMs);
    if (list.length) this.failures.set(key, list);
    else this.failures.delete(key);
    return list;
  }

  blocked(key: string): boolean {
    return this.recent(key).length >= this.maxFailures;
  }

  fail(key: string): void {
    this.failures.set(key, [...this.recent(key), this.clock.now().getTime()]);
  }

  succeed(key: string): void {
    this.failures.delete(key);
  }
}
