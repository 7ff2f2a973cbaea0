/**
 * The nightly job: ingest → features → detectors → alerts → outputs (contract §2).
 * Effects (database, clock, logger, output folder) come in from the caller.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setImmediate as nextTurn } from "node:timers/promises";
import { auditHead } from "../src/alerts/audit.ts";
import { buildAlerts } from "../src/alerts/build.ts";
import { deliverPending } from "../src/alerts/deliver.ts";
import { enqueueAlerts, pendingCounts } from "../src/alerts/outbox.ts";
import {
  readTableCounts,
  readTenderFacts,
  writeAlerts,
  writeRejects,
  writeTenderRisk,
} from "../src/alerts/outputs.ts";
import { rankAlerts } from "../src/alerts/rank.ts";
import { readRoutingContext, routeAlert } from "../src/alerts/routing.ts";
import { alertBoost, upsertAlerts, watchlistBoost } from "../src/alerts/store.ts";
import { tenderRisk } from "../src/alerts/tender-risk.ts";
import { overdue } from "../src/alerts/workflow.ts";
import { DEFAULT_SETTINGS, type Settings } from "../src/config.ts";
import type { Db } from "../src/db/duckdb.ts";
import { initDb } from "../src/db/init.ts";
import { buildDetectors, runDetectors } from "../src/detectors/index.ts";
import { allSettledOrThrow } from "../src/domain/settled.ts";
import {
  computeFeatures,
  FEATURE_DEFAULTS,
  type Features,
  type TenderLocalPhase,
} from "../src/features/index.ts";
import { TENDER_RISK_SCREEN_COLUMNS } from "../src/features/screen-stage.ts";
import { type FileReport, ingest } from "../src/ingest/index.ts";
import type { FirmIdMode } from "../src/ingest/normalise.ts";
import { noProgress, type Progress } from "../src/progress.ts";
import { readFirmNames } from "../src/report/data.ts";
import { writeReport } from "../src/report/report.ts";
import type { Alert, Clock, Finding, Logger } from "../src/types.ts";

export interface RunOptions {
  readonly inputs: readonly string[];
  readonly outDir: string;
  readonly firmIds?: FirmIdMode;
  /** Deliver to BullMQ at this Redis URL after the run (contract §3); without it alerts wait in the outbox. */
  readonly redisUrl?: string;
  /** BullMQ key prefix (default `bidwatch`, contract §3); tests use their own. */
  readonly queuePrefix?: string;
  /** Settings from the configuration file (src/config.ts); defaults when absent. */
  readonly settings?: Settings;
}

export interface RunEffects {
  readonly db: Db;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Progress of long stages (a bar on a terminal); none by default. */
  readonly progress?: Progress;
  /**
   * Builds the tender-local feature tables; by default they are computed in this process. The partitioned run
   * (pipelines/partitioned.ts) passes one that has workers compute them per partition and loads the results.
   */
  readonly tenderLocal?: TenderLocalPhase;
}

export interface RunSummary {
  readonly started_at: string;
  readonly finished_at: string;
  readonly files: readonly Omit<FileReport, "path">[];
  readonly totals: { read: number; loaded: number; updated: number; rejected: number; duplicates: number };
  readonly tables: Record<string, number>;
  readonly stages: Record<string, { seconds: number; [k: string]: number }>;
  readonly alerts: {
    total: number;
    by_kind: Record<string, number>;
    by_channel: Record<string, number>;
    by_rule: Record<string, number>;
  };
  readonly rejects: number;
  readonly detection: {
    modularity: number;
    communities: number;
    rings: number;
    hub_thresholds: Record<string, number>;
  };
  readonly delivery: { configured: boolean; delivered: number; pending: number; error?: string };
  readonly workflow: {
    overdue: { alert_id: string; channel: string | null; working_days_overdue: number }[];
    audit_head: { seq: number; hash: string };
    renamed: { from: string; to: string }[];
  };
  readonly warnings: readonly string[];
}

/** A rule that flags more than this share of all tenders says more about the data (or a threshold) than about collusion. */
export const IMPLAUSIBLE_SHARE = 0.2;

export function plausibilityWarnings(findings: readonly Finding[], nTenders: number): string[] {
  if (nTenders === 0) return [];
  const perRule = new Map<string, Set<string>>();
  for (const f of findings) {
    const set = perRule.get(f.rule) ?? new Set<string>();
    for (const t of f.tenders) set.add(t);
    perRule.set(f.rule, set);
  }
  const out: string[] = [];
  for (const [rule, set] of [...perRule.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const share = set.size / nTenders;
    if (share > IMPLAUSIBLE_SHARE) {
      out.push(
        `${rule} flags ${set.size} of ${nTenders} tenders (${(share * 100).toFixed(1)} %): check the data or the rule's thresholds`,
      );
    }
  }
  return out;
}

export interface RunResult {
  readonly summary: RunSummary;
  readonly alerts: readonly Alert[];
}

export async function runPipeline(options: RunOptions, fx: RunEffects): Promise<RunResult> {
  const { db, clock, logger } = fx;
  const settings = options.settings ?? DEFAULT_SETTINGS;
  const startedAt = clock.now();
  const stages: Record<string, { seconds: number; [k: string]: number }> = {};
  const progress = fx.progress ?? noProgress;
  const timed = async <T>(name: string, fn: () => Promise<T>, counts?: (r: T) => Record<string, number>) => {
    const t0 = performance.now();
    // Ingest shows its own bar (one step per file).
    const task = name === "ingest" ? undefined : progress.start(name);
    const r = await fn().finally(() => task?.done());
    const seconds = Math.round(performance.now() - t0) / 1000;
    stages[name] = { seconds, ...(counts ? counts(r) : {}) };
    logger.info(`stage ${name} done`, { seconds, ...(counts ? counts(r) : {}) });
    return r;
  };

  await initDb(db);
  const files = await timed(
    "ingest",
    () =>
      ingest(db, options.inputs, { firmIds: options.firmIds ?? "uscc", now: () => clock.now(), progress }),
    (r) => ({
      files: r.length,
      loaded: r.reduce((s, f) => s + f.loaded, 0),
      rejected: r.reduce((s, f) => s + f.rejected, 0),
    }),
  );

  let features: Features | undefined = await timed(
    "features",
    () => computeFeatures(db, { ...FEATURE_DEFAULTS, hub: settings.hub }, fx.tenderLocal),
    (f) => ({
      shared_values: f.identity.sharedValues.length,
      cross_tender_links: f.identity.crossTender.length,
      people_links: f.identity.peopleLinks.length,
      screened_tenders: f.screens.table.size,
    }),
  );

  const detection = await timed(
    "detectors",
    async () => runDetectors(features as Features, buildDetectors(settings)),
    (d) => ({
      findings: d.findings.length,
      rings: d.rings.rings.length,
      graph_nodes: d.rings.nodes,
      graph_edges: d.rings.edges,
    }),
  );
  const findings = detection.findings;
  // From here on only the screen table and the hub thresholds are needed: the rest of the features (most
  // of the heap at a million bids) is let go before alerts and reports are built.
  const screenTable = features.screens.table;
  const hubs = features.identity.hubs;
  features = undefined;

  const screens = { names: TENDER_RISK_SCREEN_COLUMNS, values: screenTable };
  // The alerts stage also writes alerts.json, alerts.csv and tender_risk.csv (see below).
  const { alerts, risks, store } = await timed(
    "alerts",
    async () => {
      const tenders = await readTenderFacts(db);
      const boosts = await watchlistBoost(db);
      const routing = await readRoutingContext(db, tenders.sides);
      const ctx = {
        tenderValue: tenders.value,
        firmNames: await readFirmNames(db, [...new Set(findings.flatMap((f) => f.firms))]),
        route: (a: Parameters<typeof routeAlert>[0]) => routeAlert(a, routing, settings.routing),
        boost: (firms: readonly string[]) => alertBoost(firms, boosts),
      };
      const built = buildAlerts(findings, ctx);
      // Tender risks need only the findings: they are computed while DuckDB writes the alert store.
      // (setImmediate: run once the event loop is waiting, i.e. while DuckDB works on the store's statements.)
      const risksLater = nextTurn().then(() => tenderRisk([...ctx.tenderValue.keys()], findings));
      risksLater.catch(() => undefined); // awaited below; not an unhandled rejection if the store fails first
      // The store gives continued rings their old id and remembers dismissals; dismissed alerts seen
      // again on the same evidence are not raised.
      const stored = await upsertAlerts(db, built, clock);
      const suppressed = new Set(stored.suppressed);
      const alerts = rankAlerts(stored.alerts.filter((a) => !suppressed.has(a.id)));
      const risks = await risksLater;
      // The alert files and tender_risk.csv need no database: they are written while the outbox is
      // appended and committed (DuckDB commits off the main thread).
      const writeFiles = async () => {
        await mkdir(options.outDir, { recursive: true });
        await writeAlerts(options.outDir, alerts);
        await writeTenderRisk(options.outDir, risks, tenders.nBids, screens);
      };
      const [enqueued] = await allSettledOrThrow([enqueueAlerts(db, alerts, clock), writeFiles()] as const);
      return { alerts, risks, store: { ...stored, enqueued } };
    },
    (r) => ({
      alerts: r.alerts.length,
      inserted: r.store.inserted.length,
      updated: r.store.updated.length,
      reopened: r.store.reopened.length,
      suppressed: r.store.suppressed.length,
      enqueued: r.store.enqueued,
    }),
  );

  const delivery: RunSummary["delivery"] = options.redisUrl
    ? await timed(
        "delivery",
        async () => {
          const r = await deliverPending(
            db,
            {
              redisUrl: options.redisUrl as string,
              ...(options.queuePrefix ? { prefix: options.queuePrefix } : {}),
            },
            clock,
            logger,
          );
          return { configured: true, ...r };
        },
        (r) => ({ delivered: r.delivered, pending: r.pending }),
      )
    : { configured: false, ...(await pendingCounts(db)) };

  const summary = await timed("outputs", async () => {
    const rejects = await writeRejects(
      db,
      options.outDir,
      files.map((f) => f.file_id),
    );
    const summary: RunSummary = {
      started_at: startedAt.toISOString(),
      finished_at: clock.now().toISOString(),
      files: files.map(({ path: _path, ...f }) => f),
      totals: {
        read: sum(files, (f) => f.read),
        loaded: sum(files, (f) => f.loaded),
        updated: sum(files, (f) => f.updated),
        rejected: sum(files, (f) => f.rejected),
        duplicates: sum(files, (f) => f.duplicates),
      },
      tables: await readTableCounts(db),
      stages,
      alerts: {
        total: alerts.length,
        by_kind: tally(alerts.map((a) => a.kind)),
        by_channel: tally(alerts.flatMap((a) => a.channels)),
        by_rule: tally(findings.map((f) => f.rule)),
      },
      rejects,
      detection: {
        modularity: detection.rings.modularity,
        communities: detection.rings.communities,
        rings: detection.rings.rings.length,
        hub_thresholds: Object.fromEntries(Object.values(hubs).map((h) => [h.field, h.max_firms])),
      },
      delivery,
      workflow: {
        overdue: (await overdue(db, clock, settings.deadlines)).map((o) => ({
          alert_id: o.alert_id,
          channel: o.channel,
          working_days_overdue: o.working_days_overdue,
        })),
        audit_head: await auditHead(db),
        renamed: store.renamed.map((m) => ({ from: m.incomingId, to: m.id })),
      },
      warnings: plausibilityWarnings(findings, risks.length),
    };
    return summary;
  });
  await writeFile(join(options.outDir, "run_summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
  // The report takes the alerts and tender risks from memory rather than reading back what was just written.
  await writeReport(db, summary, options.outDir, {}, { alerts, risks, screens });
  return { summary, alerts };
}

function sum<T>(xs: readonly T[], f: (x: T) => number): number {
  return xs.reduce((s, x) => s + f(x), 0);
}

function tally(xs: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of [...xs].sort()) out[x] = (out[x] ?? 0) + 1;
  return out;
}
