/**
 * Builds the sample world (pure, no I/O): districts, tenderees, agencies, the firm pool with its
 * people, machines and accounts, which tender falls in which market, the planted collusion rings,
 * the small honest market, the sanctions and the shared "hub" values that must not be mistaken for
 * collusion. Only this small state is kept in memory; tenders and bids are derived one at a time
 * from it (see tender.ts).
 */
import { compactDay } from "./calendar.ts";
import {
  bankAccount,
  drawUnique,
  formatIp,
  formatMac,
  hardwareId,
  ipv4,
  landline,
  lockNumber,
  macNumber,
  md5Like,
  mobileNumber,
  OFFICE_IP_PREFIXES,
  orgCode,
  residentId,
  uscc,
} from "./ids.ts";
import {
  address,
  agencyName,
  CATEGORIES,
  type Category,
  firmName,
  personName,
  REGIONS,
  SANCTION_REASONS,
  tendereeCodeKind,
  tendereeNames,
} from "./names.ts";
import { Rng, sampleDistinctInto } from "./rng.ts";

export const RING_STYLES = [
  "shared_machine",
  "shared_bond_or_pm",
  "identical_files",
  "price_only",
  "affiliated",
] as const;
export type RingStyle = (typeof RING_STYLES)[number];

/** Share of tenders per category (construction most common). */
export const CATEGORY_WEIGHTS: readonly number[] = [0.45, 0.22, 0.09, 0.1, 0.08, 0.06];
const REGION_WEIGHTS = REGIONS.map((r) => r.weight);
const N_CAT = CATEGORIES.length;

/** Random-stream ids, so each part of the generator draws from its own sequence. */
export const STREAM = { world: 1, tender: 2, badRow: 3 } as const;

/** Organisation-code number ranges per kind of entity (distinct ranges → distinct credit codes). */
export const ORG_RANGE = { firm: 0, agency: 60_000_000, tenderee: 70_000_000, ghost: 90_000_000 } as const;

export interface Machine {
  readonly mac: string;
  readonly hardwareId: string;
}

export interface Firm {
  readonly index: number;
  readonly id: string;
  readonly name: string;
  readonly region: number;
  readonly categories: number[];
  readonly regions: number[];
  legalRepId: string;
  readonly shareholders: string[];
  readonly projectManagers: string[];
  readonly staff: string[];
  readonly phone: string;
  readonly ips: string[];
  readonly machines: Machine[];
  readonly lockId: string;
  readonly bondAccount: string;
  readonly address: string;
  readonly establishedAt: string;
}

export interface Party {
  readonly id: string;
  readonly name: string;
  readonly phone: string;
}

export interface Sanction {
  readonly subjectId: string;
  readonly subjectType: "firm" | "person";
  /** Whom the subject is to the firm: the firm itself, its legal representative or a project manager. */
  readonly role: "firm" | "legal_rep" | "project_manager";
  readonly firm: number;
  readonly reason: string;
  readonly startDay: number;
  /** Last day of the sanction (inclusive); undefined = open-ended. */
  readonly endDay: number | undefined;
}

export interface Ring {
  readonly index: number;
  readonly id: string;
  readonly style: RingStyle;
  /** Style detail: shared_machine winner|coordinator, price_only ratio|gap, affiliated legal_rep|shareholder. */
  readonly variant: string;
  readonly region: number;
  readonly category: number;
  /** Member firm indices in rotation order: the k-th ring tender is won by firms[k mod size]. */
  readonly firms: number[];
  /** The firm whose computer prepares the cover bids (shared_machine, variant coordinator). */
  readonly coordinator: number;
  /** Tender indices, ascending. */
  readonly tenders: number[];
  /** Per ring tender: does it show the ring's tell (identity link or price pattern)? */
  readonly tell: boolean[];
}

export interface HallTerminal {
  readonly ip: string;
  readonly mac: string;
  readonly hardwareId: string;
}

export interface Traps {
  /** Public terminals in the trading-centre hall, used by many unrelated firms. */
  readonly hall: HallTerminal[];
  /** Hashes of the blank bid template that many firms upload unchanged. */
  readonly templateHashes: string[];
  readonly templateAuthor: string;
  /** Guarantee insurers' accounts that pay bid bonds for many unrelated firms. */
  readonly insurerAccounts: string[];
}

export interface World {
  readonly seed: number;
  readonly tenders: number;
  readonly salt: number;
  readonly firms: Firm[];
  readonly agencies: Party[];
  /** Tenderees per market cell (region × category). */
  readonly tenderees: Party[][];
  /** Firm indices active per cell, and per category (fill-ins from other districts). */
  readonly cellPools: number[][];
  readonly categoryPools: number[][];
  /** Market cell of every tender. */
  readonly tenderCell: Uint8Array;
  /** Ring index of every tender, -1 for none. */
  readonly tenderRing: Int32Array;
  readonly rings: Ring[];
  readonly firmRing: Int32Array;
  readonly smallCell: number;
  readonly smallFirms: number[];
  readonly isSmall: Uint8Array;
  readonly sanctions: Sanction[];
  readonly firmSanctions: Map<number, Sanction[]>;
  readonly traps: Traps;
}

export function cellOf(region: number, category: number): number {
  return region * N_CAT + category;
}

export function cellRegion(cell: number): number {
  return Math.floor(cell / N_CAT);
}

export function cellCategory(cell: number): number {
  return cell % N_CAT;
}

/** Firm pool size for `tenders` tenders. */
export function firmCount(tenders: number): number {
  return Math.max(60, Math.round(tenders / 3));
}

/** Number of planted rings for `tenders` tenders. */
export function ringCount(tenders: number): number {
  return Math.max(5, Math.round(tenders / 60));
}

/** Residence codes used in people's ID numbers: the province's districts and a few elsewhere. */
const PERSON_REGIONS = [...REGIONS.map((r) => r.code), "330781", "341222", "362330", "430521", "511023"];

class Builder {
  readonly rng: Rng;
  readonly salt: number;
  private readonly personKeys = new Set<number>();
  private readonly phoneKeys = new Set<number>();
  private readonly ipKeys = new Set<number>();
  private readonly macKeys = new Set<number>();
  private readonly lockKeys = new Set<number>();
  private readonly firmNames = new Set<string>();

  constructor(seed: number) {
    this.rng = Rng.from(seed, STREAM.world);
    this.salt = this.rng.int(0, 99_999_999);
  }

  /** A fresh resident ID for a person born 1958–1999, registered in `regionCode` or elsewhere. */
  person(regionCode?: string): string {
    const rng = this.rng;
    let id = "";
    drawUnique(this.personKeys, () => {
      const r =
        regionCode !== undefined && rng.chance(0.7) ? PERSON_REGIONS.indexOf(regionCode) : rng.int(0, 12);
      const birth = rng.int(-24_100, -9_500);
      const seq = rng.int(0, 999);
      id = residentId(PERSON_REGIONS[r] as string, compactDay(birth), seq);
      return r * 4e7 + (birth + 30_000) * 1000 + seq;
    });
    return id;
  }

  mobile(): string {
    return String(drawUnique(this.phoneKeys, () => mobileNumber(this.rng)));
  }

  landline(areaCode: string): string {
    let text = "";
    drawUnique(this.phoneKeys, () => {
      const l = landline(areaCode, this.rng);
      text = l.text;
      return l.key;
    });
    return text;
  }

  ip(firstOctets: readonly number[]): string {
    return formatIp(drawUnique(this.ipKeys, () => ipv4(firstOctets, this.rng)));
  }

  machine(): Machine {
    return {
      mac: formatMac(drawUnique(this.macKeys, () => macNumber(this.rng))),
      hardwareId: hardwareId(this.rng),
    };
  }

  lock(): string {
    return String(drawUnique(this.lockKeys, () => lockNumber(this.rng)));
  }

  firmName(region: number, category: number): string {
    for (let attempt = 0; ; attempt++) {
      const base = firmName(
        this.rng,
        REGIONS[region] as (typeof REGIONS)[number],
        CATEGORIES[category] as Category,
        attempt,
      );
      const name = attempt > 8 ? `${base}(${attempt})` : base;
      if (!this.firmNames.has(name)) {
        this.firmNames.add(name);
        return name;
      }
    }
  }
}

function regionInfo(r: number): (typeof REGIONS)[number] {
  return REGIONS[r] as (typeof REGIONS)[number];
}

function makeFirm(b: Builder, index: number, home: number, categories: number[], regions: number[]): Firm {
  const rng = b.rng;
  const region = regionInfo(home);
  const legalRepId = b.person(region.code);
  const shareholders: string[] = [];
  if (rng.chance(0.6)) shareholders.push(legalRepId);
  const extra = rng.int(shareholders.length === 0 ? 1 : 0, 2);
  for (let i = 0; i < extra; i++) shareholders.push(b.person(region.code));
  const projectManagers: string[] = [];
  for (let i = rng.int(1, 3); i > 0; i--) projectManagers.push(b.person());
  const staff: string[] = [];
  for (let i = rng.int(1, 3); i > 0; i--) staff.push(personName(rng));
  const ips = [b.ip(OFFICE_IP_PREFIXES)];
  if (rng.chance(0.3)) ips.push(b.ip(OFFICE_IP_PREFIXES));
  const machines = [b.machine()];
  if (rng.chance(0.4)) machines.push(b.machine());
  return {
    index,
    id: uscc("9", "1", region.code, orgCode(ORG_RANGE.firm + index, b.salt)),
    name: b.firmName(home, categories[0] as number),
    region: home,
    categories,
    regions,
    legalRepId,
    shareholders,
    projectManagers,
    staff,
    phone: rng.chance(0.6) ? b.mobile() : b.landline(region.areaCode),
    ips,
    machines,
    lockId: b.lock(),
    bondAccount: bankAccount(rng),
    address: address(rng, region),
    establishedAt: compactDayDash(rng.int(-10_800, -120)),
  };
}

function compactDayDash(day: number): string {
  const d = compactDay(day);
  return `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`;
}

function makeParties(b: Builder): { agencies: Party[]; tenderees: Party[][] } {
  const rng = b.rng;
  const agencies: Party[] = [];
  const agencyNames = new Set<string>();
  for (let j = 0; j < 20; j++) {
    const r = rng.weighted(REGION_WEIGHTS);
    const region = regionInfo(r);
    let name = agencyName(rng, region, 0);
    for (let attempt = 1; agencyNames.has(name); attempt++) name = agencyName(rng, region, attempt);
    agencyNames.add(name);
    const id = uscc("9", "1", region.code, orgCode(ORG_RANGE.agency + j, b.salt));
    agencies.push({ id, name, phone: b.landline(region.areaCode) });
  }
  const tenderees: Party[][] = [];
  let seq = 0;
  for (let r = 0; r < REGIONS.length; r++) {
    const region = regionInfo(r);
    for (let c = 0; c < N_CAT; c++) {
      const names = tendereeNames(rng, region, CATEGORIES[c] as Category, rng.int(2, 4));
      tenderees.push(
        names.map((name) => {
          const [authority, kind] = tendereeCodeKind(name);
          const id = uscc(authority, kind, region.code, orgCode(ORG_RANGE.tenderee + seq++, b.salt));
          return { id, name, phone: b.landline(region.areaCode) };
        }),
      );
    }
  }
  return { agencies, tenderees };
}

interface FirmProfile {
  home: number;
  categories: number[];
  regions: number[];
}

function profile(rng: Rng): FirmProfile {
  const home = rng.weighted(REGION_WEIGHTS);
  const primary = rng.weighted(CATEGORY_WEIGHTS);
  const categories = [primary];
  if (rng.chance(0.3)) {
    const second = rng.weighted(CATEGORY_WEIGHTS);
    if (second !== primary) categories.push(second);
  }
  const regions = [home];
  const extra = rng.weighted([0.3, 0.35, 0.22, 0.13]);
  for (let i = 0; i < extra; i++) {
    const r = rng.weighted(REGION_WEIGHTS);
    if (!regions.includes(r)) regions.push(r);
  }
  return { home, categories, regions };
}

/** Builds the world for `tenders` tenders from `seed`. Deterministic. */
export function buildWorld(tenders: number, seed: number): World {
  const b = new Builder(seed);
  const rng = b.rng;
  const { agencies, tenderees } = makeParties(b);

  // The small market: one district × category served by only 4–6 local firms.
  const smallCell = cellOf(REGIONS.length - 1, CATEGORIES.indexOf("water"));
  const nFirms = firmCount(tenders);
  const smallCount = rng.int(4, 6);
  const smallSet = new Set(rng.shuffled(Array.from({ length: nFirms }, (_, i) => i)).slice(0, smallCount));

  const firms: Firm[] = [];
  const isSmall = new Uint8Array(nFirms);
  for (let i = 0; i < nFirms; i++) {
    if (smallSet.has(i)) {
      isSmall[i] = 1;
      firms.push(makeFirm(b, i, cellRegion(smallCell), [cellCategory(smallCell)], [cellRegion(smallCell)]));
    } else {
      const p = profile(rng);
      firms.push(makeFirm(b, i, p.home, p.categories, p.regions));
    }
  }
  const smallFirms = firms.filter((f) => isSmall[f.index] === 1).map((f) => f.index);

  // Every category needs a reasonable pool of (non-small-market) firms, even for tiny worlds.
  for (let c = 0; c < N_CAT; c++) {
    let have = firms.filter((f) => isSmall[f.index] === 0 && f.categories.includes(c)).length;
    while (have < 12) {
      const f = firms[rng.int(0, nFirms - 1)] as Firm;
      if (isSmall[f.index] === 1 || f.categories.includes(c)) continue;
      f.categories.push(c);
      have++;
    }
  }

  const cellPools: number[][] = Array.from({ length: REGIONS.length * N_CAT }, () => []);
  const categoryPools: number[][] = Array.from({ length: N_CAT }, () => []);
  for (const f of firms) {
    if (isSmall[f.index] === 1) {
      (cellPools[smallCell] as number[]).push(f.index);
      continue;
    }
    for (const c of f.categories) {
      (categoryPools[c] as number[]).push(f.index);
      for (const r of f.regions) {
        const cell = cellOf(r, c);
        if (cell !== smallCell) (cellPools[cell] as number[]).push(f.index);
      }
    }
  }

  // Which market each tender belongs to; a steady share goes to the small market.
  const tenderCell = new Uint8Array(tenders);
  for (let i = 0; i < tenders; i++) {
    tenderCell[i] = rng.chance(0.015)
      ? smallCell
      : cellOf(rng.weighted(REGION_WEIGHTS), rng.weighted(CATEGORY_WEIGHTS));
  }

  const firmRing = new Int32Array(nFirms).fill(-1);
  const tenderRing = new Int32Array(tenders).fill(-1);
  const rings = plantRings(b, {
    tenders,
    tenderCell,
    smallCell,
    cellPools,
    categoryPools,
    firms,
    firmRing,
    isSmall,
    tenderRing,
  });

  const sanctions = makeSanctions(b, firms, firmRing, isSmall);
  const firmSanctions = new Map<number, Sanction[]>();
  for (const s of sanctions) {
    const list = firmSanctions.get(s.firm);
    if (list) list.push(s);
    else firmSanctions.set(s.firm, [s]);
  }

  const hall: HallTerminal[] = [];
  for (let i = 0; i < 4; i++) hall.push({ ip: b.ip([218]), ...b.machine() });
  const traps: Traps = {
    hall,
    templateHashes: [md5Like(rng), md5Like(rng)],
    templateAuthor: "Administrator",
    insurerAccounts: [bankAccount(rng), bankAccount(rng), bankAccount(rng)],
  };

  return {
    seed,
    tenders,
    salt: b.salt,
    firms,
    agencies,
    tenderees,
    cellPools,
    categoryPools,
    tenderCell,
    tenderRing,
    rings,
    firmRing,
    smallCell,
    smallFirms,
    isSmall,
    sanctions,
    firmSanctions,
    traps,
  };
}

interface RingInputs {
  tenders: number;
  tenderCell: Uint8Array;
  smallCell: number;
  cellPools: number[][];
  categoryPools: number[][];
  firms: Firm[];
  firmRing: Int32Array;
  isSmall: Uint8Array;
  tenderRing: Int32Array;
}

/** Plants the collusion rings: each in one market, over a run of that market's tenders. */
function plantRings(b: Builder, w: RingInputs): Ring[] {
  const rng = b.rng;
  const nCells = w.cellPools.length;
  const cellTenders: number[][] = Array.from({ length: nCells }, () => []);
  for (let i = 0; i < w.tenders; i++) {
    const cell = w.tenderCell[i] as number;
    if (cell !== w.smallCell) (cellTenders[cell] as number[]).push(i);
  }
  const free = cellTenders.map((list) => list.length);
  const rings: Ring[] = [];
  const wanted = ringCount(w.tenders);
  for (let r = 0; r < wanted; r++) {
    const weights = free.map((n) => (n >= 4 ? n : 0));
    if (weights.every((x) => x === 0)) break;
    const cell = rng.weighted(weights);
    const region = cellRegion(cell);
    const category = cellCategory(cell);
    const style = RING_STYLES[rings.length % RING_STYLES.length] as RingStyle;

    const size = rng.int(3, 6);
    const members: number[] = [];
    const eligible = (f: number) => w.firmRing[f] === -1 && w.isSmall[f] === 0;
    sampleDistinctInto(rng, w.cellPools[cell] as number[], size, eligible, members);
    if (members.length < size) {
      sampleDistinctInto(
        rng,
        w.categoryPools[category] as number[],
        size - members.length,
        eligible,
        members,
      );
    }
    if (members.length < 3) continue;

    // A run of the market's still-free tenders, starting at a random point (wrapping around).
    const list = cellTenders[cell] as number[];
    const count = Math.min(rng.int(5, 10), free[cell] as number);
    const chosen: number[] = [];
    const start = rng.int(0, list.length - 1);
    for (let k = 0; k < list.length && chosen.length < count; k++) {
      const t = list[(start + k) % list.length] as number;
      if (w.tenderRing[t] === -1) chosen.push(t);
    }
    chosen.sort((x, y) => x - y);
    free[cell] = (free[cell] as number) - chosen.length;

    const index = rings.length;
    for (const t of chosen) w.tenderRing[t] = index;
    for (const f of members) w.firmRing[f] = index;

    const tellShare = rng.range(0.6, 0.9);
    const tellCount = Math.min(chosen.length, Math.max(2, Math.round(tellShare * chosen.length)));
    const tellAt = new Set(rng.shuffled(chosen.map((_, k) => k)).slice(0, tellCount));
    const tell = chosen.map((_, k) => style === "affiliated" || tellAt.has(k));

    let variant: string;
    switch (style) {
      case "shared_machine":
        variant = rng.chance(0.5) ? "winner" : "coordinator";
        break;
      case "shared_bond_or_pm":
        variant = "bond_or_pm";
        break;
      case "identical_files":
        variant = "same_hash";
        break;
      case "price_only":
        variant = rng.chance(0.5) ? "ratio" : "gap";
        break;
      default:
        variant = rng.chance(0.5) ? "legal_rep" : "shareholder";
    }
    const firmsInOrder = rng.shuffled(members);
    const ring: Ring = {
      index,
      id: `R${String(index + 1).padStart(3, "0")}`,
      style,
      variant,
      region,
      category,
      firms: firmsInOrder,
      coordinator: rng.pick(firmsInOrder),
      tenders: chosen,
      tell,
    };
    if (style === "affiliated") affiliate(b, ring, w.firms);
    rings.push(ring);
  }
  return rings;
}

/** Links an affiliated ring's firms in firm_people: one legal representative, or one common shareholder. */
function affiliate(b: Builder, ring: Ring, firms: Firm[]): void {
  const members = ring.firms.map((f) => firms[f] as Firm);
  if (ring.variant === "legal_rep") {
    const shared = (members[0] as Firm).legalRepId;
    for (const f of members.slice(1)) f.legalRepId = shared;
  } else {
    const owner = b.person(regionInfo(ring.region).code);
    for (const f of members) f.shareholders.push(owner);
  }
}

/**
 * Sanctions on honest firms (never ring members or the small market): some in force during 2025
 * (bids inside their period are breaches), some expired before 2025, a few open-ended.
 */
function makeSanctions(b: Builder, firms: Firm[], firmRing: Int32Array, isSmall: Uint8Array): Sanction[] {
  const rng = b.rng;
  const active = Math.max(3, Math.round(firms.length * 0.01));
  const expired = Math.max(2, Math.round(firms.length * 0.004));
  const pool = firms.map((f) => f.index);
  const chosen = sampleDistinctInto(
    rng,
    pool,
    active + expired,
    (f) => firmRing[f] === -1 && isSmall[f] === 0,
    [],
  );
  return chosen.map((fi, k) => {
    const firm = firms[fi] as Firm;
    const roll = rng.float();
    const role = roll < 0.5 ? "firm" : roll < 0.75 ? "legal_rep" : "project_manager";
    const subjectId =
      role === "firm" ? firm.id : role === "legal_rep" ? firm.legalRepId : rng.pick(firm.projectManagers);
    let startDay: number;
    let endDay: number | undefined;
    if (k < active) {
      startDay = rng.int(-150, 250);
      endDay = startDay >= 0 && rng.chance(0.15) ? undefined : startDay + rng.int(180, 540);
    } else {
      endDay = rng.int(-400, -1);
      startDay = endDay - rng.int(90, 365);
    }
    return {
      subjectId,
      subjectType: role === "firm" ? "firm" : "person",
      role,
      firm: fi,
      reason: rng.pick(SANCTION_REASONS),
      startDay,
      endDay,
    };
  });
}
