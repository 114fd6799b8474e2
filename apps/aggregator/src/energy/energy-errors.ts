/** A meter reading the energy model cannot use (bad register value): the engine sends it to the dead-letter topic. */
export class EnergyValueError extends Error {
  override readonly name = 'EnergyValueError';

  constructor(
    message: string,
    readonly context: Readonly<Record<string, string | number | null>>,
  ) {
    super(
      `${message} (${Object.entries(context)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')})`,
    );
  }
}
