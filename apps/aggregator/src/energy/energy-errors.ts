import { DomainError } from '../domain-error';

/** A meter reading the energy model cannot use (bad register value): the engine sends it to the dead-letter topic. */
export class EnergyValueError extends DomainError {
  override readonly name = 'EnergyValueError';
}
