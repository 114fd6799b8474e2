import type { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';

/** One readiness check as a Terminus indicator: up when `check` resolves, down with its message otherwise. */
export async function readinessProbe(
  indicators: HealthIndicatorService,
  key: string,
  check: () => Promise<unknown>,
): Promise<HealthIndicatorResult> {
  const session = indicators.check(key);
  try {
    await check();
    return session.up();
  } catch (err) {
    return session.down({ message: (err as Error).message });
  }
}
