/** Errors with a stable `code` that tests assert and the CLI prints. */
export class BidwatchError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "BidwatchError";
  }
}

/** A whole input file cannot be used (unknown table, unreadable encoding, missing required column…). */
export class InputFileError extends BidwatchError {
  constructor(
    code: string,
    readonly file: string,
    reason: string,
  ) {
    super(code, `ingest: ${file}: ${reason}`);
    this.name = "InputFileError";
  }
}

/** Wrong use of the command line or configuration. */
export class UsageError extends BidwatchError {
  constructor(message: string) {
    super("E_USAGE", message);
    this.name = "UsageError";
  }
}
