import type { CallFact, CallFactChange } from './call-facts';

/** A fact with the direction it moves the numbers: +1 add, −1 retract. The unit sent across the repartition hop. */
export interface SignedCallFact {
  readonly sign: 1 | -1;
  readonly fact: CallFact;
}

/** Retractions first, so a window never shows the old and the new version of a call at once. */
export function toSignedFacts(change: CallFactChange): SignedCallFact[] {
  return [
    ...change.retract.map((fact) => ({ sign: -1 as const, fact })),
    ...change.add.map((fact) => ({ sign: 1 as const, fact })),
  ];
}
