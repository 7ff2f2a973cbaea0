/** Identity links: identifier values (IP, MAC, machine code, …) shared by competing bidders of one tender. */
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

const q = (name: string) => sqlSection(import.meta.url, "identity.sql", name);

export async function computeSharedValues(db: Db): Promise<void> {
  await db.exec(q("shared_values"));
}

export async function readSharedValues(
  db: Db,
  fields: readonly IdentityField[] = IDENTITY_FIELDS,
): Promise<SharedValue[]> {
  return db.all<SharedValue & Record<string, unknown>>(q("read_shared_values"), {
    fields: listValue([...fields]),
  });
}
