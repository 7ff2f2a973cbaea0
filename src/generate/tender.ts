/**
 * One tender and its bids, derived (purely) from the world and the tender's index with the tender's
 * own random stream — so tenders can be produced one at a time, in any order, with the same result.
 *
 * Honest tenders: 3–12 bidders from the firms active in the market, independent prices around a
 * tender-specific mean (coefficient of variation 2.5–7 %), winner = lowest valid bid or best noisy
 * score. Ring tenders: all ring members (sometimes with honest outsiders), the designated winner in
 * rotation, cover bids a little above it, and — in the ring's "tell" tenders — the style's trace.
 */
import { DAY, dayOf } from "./calendar.ts";
import { md5Like, oneOffIp } from "./ids.ts";
import { CATEGORIES, DISQUALIFY_REASONS, methodFor, REGIONS, tenderTitle } from "./names.ts";
import { Rng, sampleDistinctInto } from "./rng.ts";
import {
  cellCategory,
  cellRegion,
  type Firm,
  type Party,
  type Ring,
  type Sanction,
  STREAM,
  type World,
} from "./scenario.ts";

export type EvaluationMethod = "lowest_price" | "comprehensive";

export interface BidOut {
  firm: number;
  bidId: string;
  /** Price in fen (1/100 yuan). */
  cents: number;
  /** Write the price with thousands separators ("1,234,567.89"). */
  thousands: boolean;
  submittedAt: number;
  ip: string;
  mac: string;
  hardwareId: string;
  lockId: string;
  fileHash: string;
  fileAuthor: string;
  bondAccount: string;
  pmId: string;
  phone: string;
  winner: boolean;
  disqualified: boolean;
  reason: string;
}

export interface Breach {
  firm_id: string;
  tender_id: string;
  subject_id: string;
  subject_type: "firm" | "person";
}

export interface TenderOut {
  index: number;
  id: string;
  title: string;
  region: number;
  category: number;
  method: string;
  tenderee: Party;
  agency: Party;
  ceilingCents: number;
  ceilingThousands: boolean;
  publishedAt: number;
  deadline: number;
  evaluation: EvaluationMethod;
  awardCents: number;
  /** Ring index, -1 for none. */
  ring: number;
  /** Bids in submission order. */
  bids: BidOut[];
  breaches: Breach[];
}

/** Median ceiling price (yuan) per category; log-normal spread σ = 0.85. */
const CEILING_MEDIAN = [6e6, 1.5e6, 5e6, 8e6, 2e6, 8e5];
/** Mean number of bidders per category (normal, sd 2.2, clamped to 3–12). */
const BIDDERS_MEAN = [11.5, 8, 9, 10, 7, 7];
const DEADLINE_TIMES = [9 * 3600, 9 * 3600 + 1800, 10 * 3600, 14 * 3600 + 1800];
/** Tenders are published from 2025-01-01 over this many days (deadlines stay inside 2025). */
const PUBLISH_SPAN_DAYS = 334;

/** "T2025-000123": 1-based, zero-padded to at least 6 digits and to the width of the count, so ids sort. */
export function tenderId(index: number, tenders: number): string {
  return `T2025-${String(index + 1).padStart(Math.max(6, String(tenders).length), "0")}`;
}

interface Ctx {
  readonly world: World;
  readonly rng: Rng;
  readonly index: number;
  readonly publishedAt: number;
  readonly deadline: number;
  readonly pubDay: number;
  readonly deadlineDay: number;
  readonly agency: Party;
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(Math.max(x, lo), hi);
}

function firmAt(world: World, f: number): Firm {
  return world.firms[f] as Firm;
}

/** True if one of the firm's sanctions starts or ends inside [fromDay, toDay] (the firm sits such tenders out). */
function straddlesSanction(world: World, f: number, fromDay: number, toDay: number): boolean {
  const list = world.firmSanctions.get(f);
  if (list === undefined) return false;
  for (const s of list) {
    const end = s.endDay ?? Number.POSITIVE_INFINITY;
    const inside = fromDay >= s.startDay && toDay <= end;
    const outside = toDay < s.startDay || fromDay > end;
    if (!inside && !outside) return true;
  }
  return false;
}

function sanctionCovers(s: Sanction, day: number, pmId: string): boolean {
  if (s.role === "project_manager" && s.subjectId !== pmId) return false;
  return day >= s.startDay && (s.endDay === undefined || day <= s.endDay);
}

/** A bid as the firm would file it on its own, with the everyday noise (hall terminals, template files…). */
function baseBid(ctx: Ctx, f: number, slot: number, cents: number): BidOut {
  const { rng, world } = ctx;
  const firm = firmAt(world, f);
  const traps = world.traps;
  const window = ctx.deadline - ctx.publishedAt - DAY - 300;
  const submittedAt = ctx.deadline - 300 - Math.floor(window * rng.float() ** 3);
  let ip: string;
  let mac: string;
  let hardwareId: string;
  if (rng.chance(0.03)) {
    const hall = rng.pick(traps.hall);
    ip = hall.ip;
    mac = hall.mac;
    hardwareId = hall.hardwareId;
  } else {
    const machine = rng.pick(firm.machines);
    mac = machine.mac;
    hardwareId = machine.hardwareId;
    ip = rng.chance(0.08) ? oneOffIp(ctx.index * 16 + slot) : rng.pick(firm.ips);
  }
  const template = rng.chance(0.01);
  return {
    firm: f,
    bidId: "",
    cents,
    thousands: rng.chance(0.04),
    submittedAt,
    ip,
    mac,
    hardwareId,
    lockId: firm.lockId,
    fileHash: template ? rng.pick(traps.templateHashes) : md5Like(rng),
    fileAuthor: template ? traps.templateAuthor : rng.pick(firm.staff),
    bondAccount: rng.chance(0.08) ? rng.pick(traps.insurerAccounts) : firm.bondAccount,
    pmId: rng.pick(firm.projectManagers),
    phone: rng.chance(0.03) ? ctx.agency.phone : firm.phone,
    winner: false,
    disqualified: false,
    reason: "",
  };
}

/** Independent competitive prices: a tender-level mean factor and per-bid normal dispersion. */
function honestPrices(rng: Rng, ceilingCents: number, n: number): number[] {
  const mean = rng.range(0.84, 0.94);
  const sd = mean * rng.range(0.025, 0.07);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    // Resample outside (0.7, 0.995) instead of clamping: a clamp piles honest bids onto one price, which
    // real bidders do not do (and would look like IDENTICAL_PRICES).
    let f = rng.normal(mean, sd);
    for (let tries = 0; (f <= 0.7 || f >= 0.995) && tries < 16; tries++) f = rng.normal(mean, sd);
    out.push(Math.round(ceilingCents * clamp(f, 0.7, 0.995 - rng.range(0, 0.02))));
  }
  return out;
}

function maybeDisqualify(rng: Rng, bid: BidOut, p: number): void {
  if (rng.chance(p)) {
    bid.disqualified = true;
    bid.reason = rng.pick(DISQUALIFY_REASONS);
  }
}

/** Marks the winner among valid bids: lowest price, or the best of price score + noisy technical score. */
function awardCompetitively(rng: Rng, bids: BidOut[], evaluation: EvaluationMethod): BidOut {
  if (bids.every((b) => b.disqualified)) {
    const first = bids[0] as BidOut;
    first.disqualified = false;
    first.reason = "";
  }
  const valid = bids.filter((b) => !b.disqualified);
  let best = valid[0] as BidOut;
  if (evaluation === "lowest_price") {
    for (const b of valid) if (b.cents < best.cents) best = b;
  } else {
    const min = Math.min(...valid.map((b) => b.cents));
    let bestScore = Number.NEGATIVE_INFINITY;
    for (const b of valid) {
      const score = (40 * min) / b.cents + 60 * rng.range(0.7, 1);
      if (score > bestScore) {
        bestScore = score;
        best = b;
      }
    }
  }
  best.winner = true;
  return best;
}

/** Accepts a bidder unless a sanction boundary falls in the window or a fellow ring member already bids. */
function honestAccept(ctx: Ctx, excludeRing: number): (f: number, chosen: readonly number[]) => boolean {
  const { world } = ctx;
  return (f, chosen) => {
    if (straddlesSanction(world, f, ctx.pubDay, ctx.deadlineDay)) return false;
    const r = world.firmRing[f] as number;
    if (r === -1) return true;
    if (r === excludeRing) return false;
    for (const c of chosen) if (world.firmRing[c] === r) return false;
    return true;
  };
}

function honestBids(ctx: Ctx, cell: number, ceilingCents: number, evaluation: EvaluationMethod): BidOut[] {
  const { rng, world } = ctx;
  const category = cellCategory(cell);
  const chosen: number[] = [];
  if (cell === world.smallCell) {
    const n = rng.int(3, world.smallFirms.length);
    sampleDistinctInto(rng, world.smallFirms, n, honestAccept(ctx, -1), chosen);
  } else {
    const n = Math.round(clamp(rng.normal(BIDDERS_MEAN[category] as number, 2.2), 3, 12));
    const accept = honestAccept(ctx, -1);
    sampleDistinctInto(rng, world.cellPools[cell] as number[], n, accept, chosen);
    if (chosen.length < n) {
      sampleDistinctInto(rng, world.categoryPools[category] as number[], n - chosen.length, accept, chosen);
    }
  }
  const prices = honestPrices(rng, ceilingCents, chosen.length);
  const bids = chosen.map((f, k) => baseBid(ctx, f, k, prices[k] as number));
  for (const b of bids) maybeDisqualify(rng, b, 0.03);
  awardCompetitively(rng, bids, evaluation);
  return bids;
}

/** A step of 2 significant digits, e.g. 53 412.7 yuan → 53 000 yuan (in fen). */
function niceStep(cents: number): number {
  const magnitude = 10 ** Math.max(0, Math.floor(Math.log10(cents)) - 1);
  return Math.max(100, Math.round(cents / magnitude) * magnitude);
}

function ringBids(ctx: Ctx, ring: Ring, ceilingCents: number): BidOut[] {
  const { rng, world } = ctx;
  const pos = ring.tenders.indexOf(ctx.index);
  const tell = ring.tell[pos] === true;
  const size = ring.firms.length;
  const winnerFirm = ring.firms[pos % size] as number;
  const covers = rng.shuffled(ring.firms.filter((f) => f !== winnerFirm));

  const outsiders: number[] = [];
  if (rng.chance(0.4)) {
    const cell = world.tenderCell[ctx.index] as number;
    sampleDistinctInto(
      rng,
      world.cellPools[cell] as number[],
      rng.int(1, 3),
      honestAccept(ctx, ring.index),
      outsiders,
    );
  }
  const outsiderPrices = honestPrices(rng, ceilingCents, outsiders.length);

  // The designated winner's price, and the cover bids' offsets above it.
  const patterned = ring.style === "price_only" && tell;
  const ratio = rng.pick([0.01, 0.015, 0.02, 0.025]);
  const gapShare = rng.range(0.006, 0.018);
  const rels = covers.map(() => rng.range(0.004, 0.045)).sort((a, b) => a - b);
  const maxRel = patterned
    ? (ring.variant === "ratio" ? ratio : gapShare) * covers.length
    : (rels.at(-1) ?? 0);
  let w = ceilingCents * rng.range(0.925, 0.985);
  w = Math.min(w, (ceilingCents * 0.995) / (1 + maxRel));
  const minOutsider = Math.min(...outsiderPrices);
  if (minOutsider <= w) w = minOutsider * (1 - rng.range(0.001, 0.01));
  const wc = Math.round(w);
  const gap = niceStep(wc * gapShare);
  const coverCents = covers.map((_, j) => {
    if (!patterned) return Math.round(wc * (1 + (rels[j] as number)));
    return ring.variant === "ratio" ? Math.round(wc * (1 + ratio * (j + 1))) : wc + gap * (j + 1);
  });

  const bids: BidOut[] = [];
  const winnerBid = baseBid(ctx, winnerFirm, 0, wc);
  winnerBid.winner = true;
  bids.push(winnerBid);
  const coverBids = covers.map((f, j) => baseBid(ctx, f, j + 1, coverCents[j] as number));
  bids.push(...coverBids);
  outsiders.forEach((f, j) => {
    const b = baseBid(ctx, f, size + j, outsiderPrices[j] as number);
    maybeDisqualify(rng, b, 0.03);
    bids.push(b);
  });
  if (coverBids.length > 1 && rng.chance(0.1)) maybeDisqualify(rng, rng.pick(coverBids), 1);

  if (tell) applyTell(ctx, ring, winnerBid, coverBids);
  return bids;
}

/** Leaves the ring style's trace on the ring's bids in this tender. */
function applyTell(ctx: Ctx, ring: Ring, winnerBid: BidOut, coverBids: BidOut[]): void {
  const { rng, world } = ctx;
  const ringBidsHere = [winnerBid, ...coverBids];
  switch (ring.style) {
    case "shared_machine": {
      const coordFirm = ring.variant === "winner" ? winnerBid.firm : ring.coordinator;
      const coord = firmAt(world, coordFirm);
      const coordBid = ringBidsHere.find((b) => b.firm === coordFirm) as BidOut;
      const machine = coord.machines[0] as Firm["machines"][number];
      const ip = coord.ips[0] as string;
      coordBid.mac = machine.mac;
      coordBid.hardwareId = machine.hardwareId;
      coordBid.ip = ip;
      const others = ringBidsHere.filter((b) => b !== coordBid);
      const gaps = others.map(() => rng.int(2, 15) * 60 + rng.int(0, 59));
      const total = gaps.reduce((a, g) => a + g, 0);
      coordBid.submittedAt = Math.min(coordBid.submittedAt, ctx.deadline - total - 120);
      let t = coordBid.submittedAt;
      others.forEach((b, k) => {
        t += gaps[k] as number;
        b.submittedAt = t;
        b.mac = machine.mac;
        b.hardwareId = machine.hardwareId;
        if (rng.chance(0.85)) b.ip = ip;
        if (rng.chance(0.5)) b.lockId = coord.lockId;
      });
      break;
    }
    case "identical_files": {
      const w = firmAt(world, winnerBid.firm);
      winnerBid.fileHash = md5Like(rng);
      winnerBid.fileAuthor = rng.pick(w.staff);
      const k = rng.int(1, coverBids.length);
      for (const b of coverBids.slice(0, k)) {
        b.fileHash = winnerBid.fileHash;
        b.fileAuthor = winnerBid.fileAuthor;
      }
      break;
    }
    case "shared_bond_or_pm": {
      if (rng.chance(0.5)) {
        const account = firmAt(world, winnerBid.firm).bondAccount;
        winnerBid.bondAccount = account;
        const k = rng.int(1, Math.min(2, coverBids.length));
        for (const b of coverBids.slice(0, k)) b.bondAccount = account;
      } else {
        (coverBids[0] as BidOut).pmId = winnerBid.pmId;
      }
      break;
    }
    default:
      // price_only: the trace is the price pattern; affiliated: the link lives in firm_people.
      break;
  }
}

/** Builds tender `index` of the world. Pure and deterministic. */
export function generateTender(world: World, index: number): TenderOut {
  const rng = Rng.from(world.seed, STREAM.tender, index);
  const cell = world.tenderCell[index] as number;
  const region = cellRegion(cell);
  const category = cellCategory(cell);
  const id = tenderId(index, world.tenders);

  const pubDay = Math.floor((index * PUBLISH_SPAN_DAYS) / world.tenders);
  const publishedAt = pubDay * DAY + rng.int(8 * 3600 + 1800, 17 * 3600 + 1800);
  const deadlineDay = pubDay + (rng.chance(0.05) ? rng.int(7, 14) : rng.int(20, 30));
  const deadline = deadlineDay * DAY + rng.pick(DEADLINE_TIMES);
  const tenderee = rng.pick(world.tenderees[cell] as Party[]);
  const agency = rng.pick(world.agencies);
  const ceiling = clamp(
    rng.lognormal(Math.log(CEILING_MEDIAN[category] as number), 0.85),
    300_000,
    80_000_000,
  );
  const ceilingCents = Math.round(ceiling * 100);
  const evaluation: EvaluationMethod = rng.chance(category === 0 ? 0.5 : 0.65)
    ? "lowest_price"
    : "comprehensive";
  const regionInfo = REGIONS[region] as (typeof REGIONS)[number];
  const categoryName = CATEGORIES[category] as (typeof CATEGORIES)[number];
  const title = tenderTitle(rng, regionInfo, categoryName, tenderee.name);
  const method = methodFor(rng, categoryName);
  const ceilingThousands = rng.chance(0.04);

  const ctx: Ctx = { world, rng, index, publishedAt, deadline, pubDay, deadlineDay, agency };
  const ringIndex = world.tenderRing[index] as number;
  const bids =
    ringIndex >= 0
      ? ringBids(ctx, world.rings[ringIndex] as Ring, ceilingCents)
      : honestBids(ctx, cell, ceilingCents, evaluation);

  bids.sort((a, b) => a.submittedAt - b.submittedAt || a.firm - b.firm);
  const breaches: Breach[] = [];
  bids.forEach((b, k) => {
    b.bidId = `${id}-${String(k + 1).padStart(2, "0")}`;
    const sanctions = world.firmSanctions.get(b.firm);
    if (sanctions === undefined) return;
    const day = dayOf(b.submittedAt);
    for (const s of sanctions) {
      if (sanctionCovers(s, day, b.pmId)) {
        breaches.push({
          firm_id: firmAt(world, b.firm).id,
          tender_id: id,
          subject_id: s.subjectId,
          subject_type: s.subjectType,
        });
      }
    }
  });
  const winner = bids.find((b) => b.winner) as BidOut;

  return {
    index,
    id,
    title,
    region,
    category,
    method,
    tenderee,
    agency,
    ceilingCents,
    ceilingThousands,
    publishedAt,
    deadline,
    evaluation,
    awardCents: winner.cents,
    ring: ringIndex,
    bids,
    breaches,
  };
}
