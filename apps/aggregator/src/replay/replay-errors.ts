import { DomainError } from '../domain-error';

/** Something went wrong in `switchboard replay`; the context names the group, topic or table. */
export class ReplayError extends DomainError {
  override readonly name: string = 'ReplayError';
}

/**
 * The replay would have broken something that is running (a live aggregator is in the groups) or was not
 * confirmed: nothing was changed. The CLI exits with code 2.
 */
export class ReplayRefusedError extends ReplayError {
  override readonly name = 'ReplayRefusedError';
}

/** An option that cannot work (a group prefix with spaces, an empty namespace): the message says which. */
export class ReplayConfigError extends ReplayError {
  override readonly name = 'ReplayConfigError';
}
