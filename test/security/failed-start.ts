import { testEnv } from '../support/env';
import { type ServiceName, ServiceProcesses } from '../support/service-processes';

/** How long a refused start may take, the process's own start-up (swc compiling the app) included. */
export const REFUSED_WITHIN_MS = 45_000;

export interface FailedStart {
  service: ServiceName;
  code: number | null;
  ms: number;
  /** Everything the process printed. */
  output: string;
}

/**
 * Starts each service with the Kafka variables given and waits for it to exit on its own: a cluster that refuses it
 * must fail the start, not leave it retrying. Resolves with how each ended.
 */
export async function failedStarts(
  kafkaEnv: Record<string, string>,
  services: readonly ServiceName[] = ['ingest', 'aggregator', 'dashboard-gateway'],
): Promise<FailedStart[]> {
  const run = new ServiceProcesses();
  const env = {
    ...kafkaEnv,
    DATABASE_URL: testEnv.databaseUrl,
    DASHBOARD_TOKEN_SECRET: 'security-spec-secret-of-at-least-32-bytes',
    LOG_LEVEL: 'info',
  };
  try {
    return await Promise.all(
      services.map(async (service) => {
        const started = Date.now();
        await run.start(service, service, env);
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<{ code: null }>((resolve) => {
          timer = setTimeout(() => resolve({ code: null }), REFUSED_WITHIN_MS);
        });
        const { code } = await Promise.race([run.exited(service), deadline]);
        clearTimeout(timer); // a pending deadline would hold Jest for its whole length
        return { service, code, ms: Date.now() - started, output: run.linesOf(service) };
      }),
    );
  } finally {
    await run.stopAll();
  }
}
