/**
 * Identity links between bidders: identifier values (IP, MAC, machine code, dongle, bid-file hash, file
 * author, bond account, project manager, phone) shared by competing bidders, within one tender and across
 * tenders, and people (legal representative, shareholder, director) standing behind two bidders of a lot.
 * Also the data-driven hub thresholds that keep shared infrastructure from raising alerts.
 */
import { listValue } from "@duckdb/node-api";
import { type Db, sqlSection } from "../db/duckdb.ts";

export const IDENTITY_FIELDS = [
  "ip",
  "mac",
  "hardware_id",
  "software_lock_id",
  "file_hash",
  "file_author",
  "bond_account",
  "project_manager_id",
  "contact_phone",
] as const;
export type IdentityField = (typeof IDENTITY_FIELDS)[number];

export interface SharedValue {
  readonly tender_id: string;
  readonly field: IdentityField;
  readonly value: string;
  /** Sorted ids of the firms in this tender that used the value. */
  readonly firms: readonly string[];
  readonly n_firms: number;
  /** How many distinct firms use this value anywhere in the database. */
  readonly value_firms: number;
  /** How many distinct tenders the value appears in. */
  readonly value_tenders: number;
}

export interface CrossTenderLink {
  readonly field: IdentityField;
  readonly value: string;
  readonly firm_a: string;
  readonly firm_b: string;
  readonly tenders_a: readonly string[];
  readonly tenders_b: readonly string[];
  readonly value_firms: number;
  readonly value_tenders: number;
  /** Tenders in which the two firms bid against each other. */
  readonly n_met: number;
}

export interface PeopleLink {
  readonly person_id: string;
  readonly firm_a: string;
  readonly firm_b: string;
  readonly roles_a: readonly string[];
  readonly roles_b: readonly string[];
  /** How many distinct firms the person stands behind. */
  readonly person_firms: number;
  /** Tenders both firms bid in. */
  readonly tenders: readonly string[];
}

export interface HubFence {
  readonly field: IdentityField;
  /** Values used by two or more firms. */
  readonly n_values: number;
  readonly q1: number;
  readonly q3: number;
  /** A value used by more firms than this is a hub. */
  readonly max_firms: number;
}

export interface HubSettings {
  /** Never call a value a hub when it is used by this many firms or fewer (rings have 3–6 members). */
  readonly floor: number;
  /** k in the upper fence Q3 + k·IQR of firms per shared value. */
  readonly iqrMultiplier: number;
  /** The fence needs this many shared values of the field; with fewer, the floor alone applies. */
  readonly minValues: number;
}

export const HUB_DEFAULTS: HubSettings = { floor: 6, iqrMultiplier: 3, minValues: 30 };

export interface IdentityFeatures {
  readonly sharedValues: readonly SharedValue[];
  readonly crossTender: readonly CrossTenderLink[];
  readonly peopleLinks: readonly PeopleLink[];
  readonly hubs: Readonly<Record<IdentityField, HubFence>>;
  /** Hub threshold for people: a person behind more firms than this is a hub (e.g. a holding company's director). */
  readonly personHubMax: number;
}

const q = (name: string) => sqlSection(import.meta.url, "identity.sql", name);

/** The hub threshold of a field: max(floor, ⌊Q3 + k·IQR⌋), or the floor when too few values are shared to fence. */
export function hubMax(nValues: number, q1: number, q3: number, s: HubSettings): number {
  if (nValues < s.minValues) return s.floor;
  return Math.max(s.floor, Math.floor(q3 + s.iqrMultiplier * (q3 - q1)));
}

export async function computeIdentityFeatures(
  db: Db,
  hub: HubSettings = HUB_DEFAULTS,
): Promise<IdentityFeatures> {
  const injective = (await db.one<{ ok: boolean | null }>(q("firm_key_injective")))?.ok !== false;
  const firmKey = injective ? "hash(firm_id)" : "firm_id";
  await db.exec(q("identity_long").replaceAll("{{firm_key}}", firmKey));
  await db.exec(q("value_usage"));
  const fences = await db.all<{ field: IdentityField; n_values: number; q1: number; q3: number }>(
    q("hub_fences"),
  );
  const hubs = Object.fromEntries(
    IDENTITY_FIELDS.map((field) => {
      const f = fences.find((x) => x.field === field);
      const q1 = f?.q1 ?? 0;
      const q3 = f?.q3 ?? 0;
      const n = f?.n_values ?? 0;
      return [field, { field, n_values: n, q1, q3, max_firms: hubMax(n, q1, q3, hub) }];
    }),
  ) as Record<IdentityField, HubFence>;
  const maxCross = Math.max(...Object.values(hubs).map((h) => h.max_firms));
  await db.exec(q("shared_values").replaceAll("{{firm_key}}", firmKey));
  await db.exec(q("cross_tender"), { max_firms: maxCross });
  await db.exec(q("people_links"));
  await db.exec(q("drop_temp"));
  return {
    sharedValues: await readSharedValues(db),
    crossTender: await db.all<CrossTenderLink & Record<string, unknown>>(q("read_cross_tender")),
    peopleLinks: await db.all<PeopleLink & Record<string, unknown>>(q("read_people_links")),
    hubs,
    personHubMax: hub.floor,
  };
}

export async function readSharedValues(
  db: Db,
  fields: readonly IdentityField[] = IDENTITY_FIELDS,
): Promise<SharedValue[]> {
  return db.all<SharedValue & Record<string, unknown>>(q("read_shared_values"), {
    fields: listValue([...fields]),
  });
}
