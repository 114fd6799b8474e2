/** What a billing error is about; the gateway answers `{"error": code, "message": sentence}`. */
export type EnergyQueryErrorCode =
  | 'invalid_id'
  | 'invalid_time'
  | 'invalid_interval'
  | 'invalid_range'
  | 'unaligned_range'
  | 'range_too_long';

/** The errors of this library: a code, one sentence, context for logs; none is worth retrying as it is. */
export abstract class BillingError extends Error {
  abstract readonly code: string;
  readonly retriable = false;

  constructor(
    message: string,
    readonly context: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The request is wrong (HTTP 400): the message says what to send instead and never echoes the input. */
export class EnergyQueryError extends BillingError {
  constructor(
    readonly code: EnergyQueryErrorCode,
    message: string,
    context: Record<string, unknown> = {},
  ) {
    super(message, context);
  }
}

/** A stored value breaks the contract (negative or non-integer energy): a server fault (HTTP 500), never rounded. */
export class EnergyValueError extends BillingError {
  readonly code = 'invalid_energy';
}
