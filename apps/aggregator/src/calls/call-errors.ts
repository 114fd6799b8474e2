import { DomainError } from '../domain-error';

/** A call-domain invariant was broken by the caller (wrong key, impossible retraction): a bug, not bad data. */
export class CallDomainError extends DomainError {
  override readonly name = 'CallDomainError';
}
