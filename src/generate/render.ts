/**
 * Turns world and tender objects into table rows keyed by canonical column name, and rows into
 * field arrays in the column order of src/ingest/columns.ts. Two dialects: "canonical" (contract
 * names and values) and "zh" (first Chinese alias as header, 是/否 booleans, Chinese category and
 * role labels — the values a Chinese platform export carries).
 */
import { CATEGORY_ALIASES, COLUMNS, ROLE_ALIASES, type TableName } from "../ingest/columns.ts";
import { formatDay, formatTimestamp } from "./calendar.ts";
import { CATEGORIES, REGIONS } from "./names.ts";
import type { Firm, Sanction, World } from "./scenario.ts";
import type { BidOut, TenderOut } from "./tender.ts";

export type HeaderStyle = "canonical" | "zh";
export type Row = Readonly<Record<string, string>>;

export function header(table: TableName, style: HeaderStyle): string[] {
  return COLUMNS[table].map((c) => (style === "zh" ? (c.aliases[0] ?? c.name) : c.name));
}

const NAMES: Readonly<Record<TableName, readonly string[]>> = {
  tenders: COLUMNS.tenders.map((c) => c.name),
  bids: COLUMNS.bids.map((c) => c.name),
  firms: COLUMNS.firms.map((c) => c.name),
  firm_people: COLUMNS.firm_people.map((c) => c.name),
  sanctions: COLUMNS.sanctions.map((c) => c.name),
};

/** The record's fields in the table's column order (absent columns are empty). */
export function fields(table: TableName, record: Row): string[] {
  return NAMES[table].map((n) => record[n] ?? "");
}

/** Fen as a yuan decimal with 2 places, optionally with thousands separators. */
export function formatCents(cents: number, thousands = false): string {
  const negative = cents < 0;
  const abs = Math.abs(cents);
  const yuan = Math.floor(abs / 100);
  const fen = abs - yuan * 100;
  const whole = thousands ? String(yuan).replace(/\B(?=(\d{3})+(?!\d))/g, ",") : String(yuan);
  return `${negative ? "-" : ""}${whole}.${fen < 10 ? "0" : ""}${fen}`;
}

function bool(v: boolean, style: HeaderStyle): string {
  if (style === "zh") return v ? "是" : "否";
  return v ? "1" : "0";
}

function category(c: number, style: HeaderStyle): string {
  const name = CATEGORIES[c] as string;
  return style === "zh" ? (CATEGORY_ALIASES[name]?.[0] ?? name) : name;
}

function role(r: string, style: HeaderStyle): string {
  return style === "zh" ? (ROLE_ALIASES[r]?.[0] ?? r) : r;
}

export function tenderRecord(t: TenderOut, style: HeaderStyle): Row {
  return {
    tender_id: t.id,
    title: t.title,
    region: (REGIONS[t.region] as (typeof REGIONS)[number]).code,
    category: category(t.category, style),
    method: t.method,
    tenderee_id: t.tenderee.id,
    agency_id: t.agency.id,
    ceiling_price: formatCents(t.ceilingCents, t.ceilingThousands),
    published_at: formatTimestamp(t.publishedAt),
    bid_deadline: formatTimestamp(t.deadline),
    evaluation_method: t.evaluation,
    award_price: formatCents(t.awardCents),
  };
}

export function bidRecord(world: World, t: TenderOut, b: BidOut, style: HeaderStyle): Row {
  const firm = world.firms[b.firm] as Firm;
  return {
    tender_id: t.id,
    firm_id: firm.id,
    price: formatCents(b.cents, b.thousands),
    bid_id: b.bidId,
    firm_name: firm.name,
    submitted_at: formatTimestamp(b.submittedAt),
    ip: b.ip,
    mac: b.mac,
    hardware_id: b.hardwareId,
    software_lock_id: b.lockId,
    file_hash: b.fileHash,
    file_author: b.fileAuthor,
    bond_account: b.bondAccount,
    project_manager_id: b.pmId,
    contact_phone: b.phone,
    is_winner: bool(b.winner, style),
    disqualified: bool(b.disqualified, style),
    disqualify_reason: b.reason,
  };
}

export function firmRecord(f: Firm): Row {
  return {
    firm_id: f.id,
    name: f.name,
    legal_rep_id: f.legalRepId,
    phone: f.phone,
    address: f.address,
    region: (REGIONS[f.region] as (typeof REGIONS)[number]).code,
    established_at: f.establishedAt,
  };
}

/** firm_people rows of a firm: legal representative, shareholders, project managers (each person once per role). */
export function firmPeopleRecords(f: Firm, style: HeaderStyle): Row[] {
  const out: Row[] = [{ firm_id: f.id, person_id: f.legalRepId, role: role("legal_rep", style) }];
  for (const p of new Set(f.shareholders))
    out.push({ firm_id: f.id, person_id: p, role: role("shareholder", style) });
  for (const p of new Set(f.projectManagers)) {
    out.push({ firm_id: f.id, person_id: p, role: role("project_manager", style) });
  }
  return out;
}

export function sanctionRecord(s: Sanction): Row {
  return {
    subject_id: s.subjectId,
    subject_type: s.subjectType,
    reason: s.reason,
    start_date: formatDay(s.startDay),
    end_date: s.endDay === undefined ? "" : formatDay(s.endDay),
  };
}
