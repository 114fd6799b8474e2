/** A call-domain invariant was broken by the caller (wrong key, impossible retraction): a bug, not bad data. */
export class CallDomainError extends Error {
  override readonly name = 'CallDomainError';

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
