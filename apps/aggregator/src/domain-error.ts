/** An error of the aggregator's domain models, with the fields that locate it appended to the message. */
export class DomainError extends Error {
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
