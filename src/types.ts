/** Types shared across features, detectors and alerts. */

export type AlertKind = "ring" | "pair" | "tender" | "firm";
export type Channel = "analyst" | "inspection" | "discipline" | "public-security";

/** A detector's single observation, with the facts that make it believable. */
export interface Finding {
  /** Stable rule code, e.g. SHARED_IP. Renaming one is a contract change. */
  readonly rule: string;
  readonly kind: AlertKind;
  /** Sorted firm ids the finding is about. */
  readonly firms: readonly string[];
  /** Sorted tender ids the finding is about. */
  readonly tenders: readonly string[];
  /** Strength 0..1 of this piece of evidence on its own. */
  readonly weight: number;
  readonly text_zh: string;
  readonly text_en: string;
  /** Ids, shared values, statistics and thresholds behind the finding. */
  readonly facts: Readonly<Record<string, unknown>>;
}

export interface Evidence {
  readonly rule: string;
  readonly weight: number;
  readonly text_zh: string;
  readonly text_en: string;
  readonly facts: Readonly<Record<string, unknown>>;
}

/** A proposed channel for an alert, with why (routing rules: src/alerts/routing.ts). */
export interface RouteProposal {
  readonly channel: Channel;
  /** For `inspection`: the sector (tender category) whose department supervises. */
  readonly department?: string;
  readonly reason_zh: string;
  readonly reason_en: string;
}

/** An alert as delivered (contract §2). */
export interface Alert {
  readonly id: string;
  readonly rank: number;
  readonly score: number;
  readonly kind: AlertKind;
  readonly firms: readonly string[];
  readonly tenders: readonly string[];
  readonly amount: number;
  readonly channels: readonly Channel[];
  readonly evidence: readonly Evidence[];
  readonly summary_zh: string;
  readonly summary_en: string;
  /** Why each channel is proposed (beyond the contract; always written by bidwatch). */
  readonly routing?: readonly RouteProposal[];
}

/** Effects a pipeline needs from the outside world, injected so the core stays pure and testable. */
export interface Clock {
  now(): Date;
}

export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}
