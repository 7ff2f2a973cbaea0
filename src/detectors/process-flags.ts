/**
 * The process flags — bidwatch's counterparts of Open Contracting's cardinal-rs red flags (R003, R018, R024,
 * R025, R028, R030, R035, R036, R038, R058), listed explicitly (no discovery). Each is pure: the process
 * features (src/features/process.ts) in, findings out, with its defaults. docs/process-flags.md describes them.
 */
import type { ProcessFeatures } from "../features/process.ts";
import type { Finding } from "../types.ts";
import * as allButWinnerDisqualified from "./all-but-winner-disqualified.ts";
import * as excessiveDisqualification from "./excessive-disqualification.ts";
import * as excessiveUnsuccessfulBidding from "./excessive-unsuccessful-bidding.ts";
import * as heavyDiscount from "./heavy-discount.ts";
import * as identicalPrices from "./identical-prices.ts";
import * as lateBidWon from "./late-bid-won.ts";
import * as lowestBidDisqualified from "./lowest-bid-disqualified.ts";
import * as priceCloseToWinner from "./price-close-to-winner.ts";
import * as shortSubmissionPeriod from "./short-submission-period.ts";
import * as singleBid from "./single-bid.ts";

export interface ProcessDetector {
  readonly rule: string;
  /** The cardinal-rs indicator it mirrors. */
  readonly cardinal: string;
  run(features: ProcessFeatures): Finding[];
}

export const PROCESS_DETECTORS: readonly ProcessDetector[] = [
  { rule: singleBid.RULE, cardinal: "R018", run: (f) => singleBid.run(f) },
  { rule: identicalPrices.RULE, cardinal: "R028", run: (f) => identicalPrices.run(f) },
  { rule: priceCloseToWinner.RULE, cardinal: "R024", run: (f) => priceCloseToWinner.run(f) },
  { rule: heavyDiscount.RULE, cardinal: "R058", run: (f) => heavyDiscount.run(f) },
  { rule: lateBidWon.RULE, cardinal: "R030", run: (f) => lateBidWon.run(f) },
  { rule: allButWinnerDisqualified.RULE, cardinal: "R035", run: (f) => allButWinnerDisqualified.run(f) },
  { rule: lowestBidDisqualified.RULE, cardinal: "R036", run: (f) => lowestBidDisqualified.run(f) },
  { rule: excessiveDisqualification.RULE, cardinal: "R038", run: (f) => excessiveDisqualification.run(f) },
  {
    rule: excessiveUnsuccessfulBidding.RULE,
    cardinal: "R025",
    run: (f) => excessiveUnsuccessfulBidding.run(f),
  },
  { rule: shortSubmissionPeriod.RULE, cardinal: "R003", run: (f) => shortSubmissionPeriod.run(f) },
];

export function runProcessDetectors(
  features: ProcessFeatures,
  detectors: readonly ProcessDetector[] = PROCESS_DETECTORS,
): Finding[] {
  return detectors.flatMap((d) => d.run(features));
}
