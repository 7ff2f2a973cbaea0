/**
 * The co-bidding, upload-sequence and debarment detectors, listed explicitly. All four read one
 * `CobidFeatures` (src/features/cobid.ts, computed by `computeCobidFeatures`), debarment included, so
 * wiring them takes one feature call. Each runs with its own DEFAULTS.
 */
import type { CobidFeatures } from "../features/cobid.ts";
import type { Finding } from "../types.ts";
import * as cobidRotation from "./cobid-rotation.ts";
import * as coverBidder from "./cover-bidder.ts";
import * as debarredBidder from "./debarred-bidder.ts";
import * as tightUpload from "./tight-upload-sequence.ts";

export interface CobidDetector {
  readonly rule: string;
  run(f: CobidFeatures): Finding[];
}

export const COBID_DETECTORS: readonly CobidDetector[] = [
  { rule: cobidRotation.RULE, run: (f) => cobidRotation.run(f) },
  { rule: coverBidder.RULE, run: (f) => coverBidder.run(f) },
  { rule: tightUpload.RULE, run: (f) => tightUpload.run(f) },
  { rule: debarredBidder.RULE, run: (f) => debarredBidder.run(f) },
];
