/**
 * The ground truth written beside a generated export (_truth.json): what was planted, what is a
 * trap, which bids break a sanction and where the bad rows are. Shape documented in docs/generator.md.
 */
import type { BadRowTruth } from "./bad-rows.ts";
import { CATEGORIES, REGIONS } from "./names.ts";
import type { Firm, World } from "./scenario.ts";
import { type Breach, tenderId } from "./tender.ts";

export interface RingTruth {
  ring_id: string;
  style: string;
  variant: string;
  region: string;
  category: string;
  /** Member firm ids in rotation order: the k-th ring tender is won by firms[k mod size]. */
  firms: string[];
  /** Tender ids, ascending (= publication order). */
  tenders: string[];
  /** The ring tenders that carry the style's trace (all of them for `affiliated`). */
  tell_tenders: string[];
}

export interface HubValues {
  ip: string[];
  mac: string[];
  hardware_id: string[];
  file_hash: string[];
  file_author: string[];
  bond_account: string[];
  contact_phone: string[];
}

export interface Truth {
  seed: number;
  tenders: number;
  /** Good bid rows (bids.csv has bids + bad_rows.length data rows). */
  bids: number;
  rings: RingTruth[];
  rigged_tenders: string[];
  traps: { hub_values: HubValues; small_market_firms: string[] };
  debarment_breaches: Breach[];
  bad_rows: BadRowTruth[];
}

function sorted(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

export function buildTruth(world: World, bids: number, breaches: Breach[], badRows: BadRowTruth[]): Truth {
  const firmId = (f: number) => (world.firms[f] as Firm).id;
  const tenderIdOf = (i: number) => tenderId(i, world.tenders);
  const rings = world.rings.map(
    (r): RingTruth => ({
      ring_id: r.id,
      style: r.style,
      variant: r.variant,
      region: (REGIONS[r.region] as (typeof REGIONS)[number]).code,
      category: CATEGORIES[r.category] as string,
      firms: r.firms.map(firmId),
      tenders: r.tenders.map(tenderIdOf),
      tell_tenders: r.tenders.filter((_, k) => r.tell[k]).map(tenderIdOf),
    }),
  );
  const rigged = world.rings.flatMap((r) => r.tenders).sort((a, b) => a - b);
  const traps = world.traps;
  return {
    seed: world.seed,
    tenders: world.tenders,
    bids,
    rings,
    rigged_tenders: rigged.map(tenderIdOf),
    traps: {
      hub_values: {
        ip: sorted(traps.hall.map((h) => h.ip)),
        mac: sorted(traps.hall.map((h) => h.mac)),
        hardware_id: sorted(traps.hall.map((h) => h.hardwareId)),
        file_hash: sorted(traps.templateHashes),
        file_author: [traps.templateAuthor],
        bond_account: sorted(traps.insurerAccounts),
        contact_phone: sorted(world.agencies.map((a) => a.phone)),
      },
      small_market_firms: world.smallFirms.map(firmId),
    },
    debarment_breaches: breaches,
    bad_rows: badRows,
  };
}
