import { DomainError } from '../domain-error';

/** A meter reading the energy model cannot use (bad register value): the engine sends it to the dead-letter topic. */
export class EnergyValueError extends DomainError {
  override readonly name = 'EnergyValueError';
}

/**
 * The energy pipeline's checkpoint was written in a format this version does not read (before the windows moved onto
 * the streams engine). Rebuild the tables and the state from the topic with `switchboard replay`.
 */
export class EnergyCheckpointFormatError extends DomainError {
  override readonly name = 'EnergyCheckpointFormatError';
}

/**
 * The windowing engine judged a contribution beyond its horizon although the meter accepted the reading: the two
 * horizons disagree, so counting on would lose energy. A defect, never a data problem.
 */
export class EnergyHorizonError extends DomainError {
  override readonly name = 'EnergyHorizonError';
}
