/**
 * The run configuration file (`--config FILE`, JSON): every setting analysts may change, validated strictly
 * — an unknown key is an error, never silently ignored. Everything is optional; defaults are documented
 * beside each detector and in docs/configuration.md.
 */
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { ROUTING_DEFAULTS, type RoutingSettings } from "./alerts/routing.ts";
import { DEADLINE_DEFAULTS, type DeadlineSettings } from "./alerts/workflow.ts";
import { BidwatchError } from "./errors.ts";
import { HUB_DEFAULTS, type HubSettings, IDENTITY_FIELDS, type IdentityField } from "./features/identity.ts";

const Field = z.enum(IDENTITY_FIELDS);
const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "expected YYYY-MM-DD");

export const ConfigSchema = z
  .object({
    hub: z
      .object({
        floor: z.number().int().min(2),
        iqrMultiplier: z.number().min(0),
        minValues: z.number().int().min(1),
      })
      .partial()
      .strict(),
    /** Identifier values that never count as evidence (known shared infrastructure), per field. */
    allow: z.partialRecord(Field, z.array(z.string())),
    /** Identifier values that always count, even when widely used, per field. */
    deny: z.partialRecord(Field, z.array(z.string())),
    routing: z
      .object({
        criminalAmount: z.number().positive(),
        sideShare: z.number().gt(0).max(1),
        repeatPenalties: z.number().int().min(1),
        repeatWindowDays: z.number().int().min(1),
      })
      .partial()
      .strict(),
    deadlines: z
      .object({
        acceptWorkingDays: z.number().int().min(0),
        resultWorkingDays: z.number().int().min(0),
        holidays: z.array(Day),
        workdays: z.array(Day),
      })
      .partial()
      .strict(),
  })
  .partial()
  .strict();

export type ConfigFile = z.infer<typeof ConfigSchema>;

/** The resolved settings a run uses. */
export interface Settings {
  readonly hub: HubSettings;
  readonly allow: Readonly<Partial<Record<IdentityField, readonly string[]>>>;
  readonly deny: Readonly<Partial<Record<IdentityField, readonly string[]>>>;
  readonly routing: RoutingSettings;
  readonly deadlines: DeadlineSettings;
}

export function resolveSettings(c: ConfigFile = {}): Settings {
  const cal = DEADLINE_DEFAULTS.calendar;
  return {
    hub: { ...HUB_DEFAULTS, ...c.hub },
    allow: c.allow ?? {},
    deny: c.deny ?? {},
    routing: { ...ROUTING_DEFAULTS, ...c.routing },
    deadlines: {
      acceptWorkingDays: c.deadlines?.acceptWorkingDays ?? DEADLINE_DEFAULTS.acceptWorkingDays,
      resultWorkingDays: c.deadlines?.resultWorkingDays ?? DEADLINE_DEFAULTS.resultWorkingDays,
      calendar: {
        holidays: [...cal.holidays, ...((c.deadlines?.holidays ?? []) as typeof cal.holidays)],
        workdays: [...cal.workdays, ...((c.deadlines?.workdays ?? []) as typeof cal.workdays)],
      },
    },
  };
}

export const DEFAULT_SETTINGS: Settings = resolveSettings();

export function parseConfig(text: string, source: string): Settings {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new BidwatchError("E_CONFIG", `config: ${source} is not valid JSON: ${(err as Error).message}`);
  }
  const r = ConfigSchema.safeParse(raw);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join(".") || "(top)"}: ${i.message}`).join("; ");
    throw new BidwatchError("E_CONFIG", `config: ${source}: ${issues}`);
  }
  return resolveSettings(r.data);
}

export async function loadConfig(path: string | undefined): Promise<Settings> {
  if (!path) return DEFAULT_SETTINGS;
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw new BidwatchError("E_CONFIG", `config: cannot read ${path}`);
  }
  return parseConfig(text, path);
}
