import { randomBytes } from 'node:crypto';
import { createDashboardToken, type DashboardRole } from '@switchboard/domain';
import { ServiceProcess } from './service-process';

/**
 * The real dashboard gateway (apps/dashboard-gateway/src/main.ts, as `npm start` runs it) as a child process, so
 * its CPU and memory can be read from /proc apart from the clients that load it. Its own topic namespace and a
 * random token secret; Kafka and Postgres as the tests find them. Ready once /health/ready answers 200 (live
 * delivery is attached before the port opens); stopped with SIGTERM (clients disconnected, its consumer group
 * deleted), SIGKILL when it has not exited in time.
 */
export class GatewayProcess extends ServiceProcess {
  readonly tokenSecret: string;

  constructor(readonly namespace: string) {
    const tokenSecret = randomBytes(48).toString('base64url');
    super('dashboard-gateway', 'DASHBOARD_GATEWAY_PORT', {
      SWITCHBOARD_TOPIC_NAMESPACE: namespace,
      DASHBOARD_TOKEN_SECRET: tokenSecret,
      DASHBOARD_GATEWAY_HOST: '127.0.0.1',
      INSTANCE_ID: 'bench',
    });
    this.tokenSecret = tokenSecret;
  }

  /** A dashboard token; `ttlSeconds` apart, two tokens of one second differ (the gateway counts sockets per token). */
  token(tenant: string, role: DashboardRole = 'supervisor', ttlSeconds = 3600): string {
    return createDashboardToken(this.tokenSecret, { tenant, role, ttlSeconds });
  }
}
