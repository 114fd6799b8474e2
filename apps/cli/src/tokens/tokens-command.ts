import {
  createDashboardToken,
  DASHBOARD_ROLES,
  type DashboardRole,
  ID_PATTERN,
  MAX_TOKEN_TTL_SECONDS,
  verifyDashboardToken,
} from '@switchboard/domain';
import { dashboardLink, dashboardPublicUrl, dashboardTokenSecret } from '@switchboard/service';
import { Command, InvalidArgumentError } from 'commander';

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** `90s`, `15m`, `8h`, `7d` → seconds; at most 30 days. */
export function parseTtl(text: string): number {
  const m = /^(\d{1,7})([smhd])$/.exec(text);
  const seconds = m ? Number(m[1]) * UNIT_SECONDS[m[2]] : 0;
  if (!m || seconds <= 0 || seconds > MAX_TOKEN_TTL_SECONDS) {
    throw new InvalidArgumentError('ttl must be a positive number with a unit s, m, h or d (such as 8h), at most 30d');
  }
  return seconds;
}

function tenantArg(text: string): string {
  if (!ID_PATTERN.test(text)) throw new InvalidArgumentError('tenant must be 1–64 characters of A-Z a-z 0-9 . _ : -');
  return text;
}

function roleArg(text: string): DashboardRole {
  if (!(DASHBOARD_ROLES as readonly string[]).includes(text)) {
    throw new InvalidArgumentError(`role must be one of ${DASHBOARD_ROLES.join(', ')}`);
  }
  return text as DashboardRole;
}

/**
 * Signs a dashboard token with the secret the gateway uses (DASHBOARD_TOKEN_SECRET, else .data/dashboard-token.secret,
 * created when missing) and prints the dashboard link, then the token, on stdout; what they are on stderr.
 */
export function createTokenLink(
  o: { tenant: string; role: DashboardRole; ttlSeconds: number },
  env: NodeJS.ProcessEnv,
): { link: string; token: string; expiresAt: Date } {
  const publicUrl = dashboardPublicUrl(env);
  const { secret } = dashboardTokenSecret({ env });
  const token = createDashboardToken(secret, o);
  const { exp } = verifyDashboardToken(secret, token);
  return { link: dashboardLink(publicUrl, token), token, expiresAt: new Date(exp * 1000) };
}

export function tokensCommand(): Command {
  const tokens = new Command('tokens').description('dashboard tokens: signed links to one tenant’s dashboard');
  tokens
    .command('create')
    .description(
      'sign a dashboard token and print the dashboard link carrying it (in the URL fragment), then the token',
    )
    .requiredOption('--tenant <tenant>', 'the tenant whose data the token may see', tenantArg)
    .option('--role <role>', `${DASHBOARD_ROLES.join(' | ')}`, roleArg, 'supervisor' as DashboardRole)
    .option('--ttl <duration>', 'lifetime, e.g. 15m, 8h, 7d (at most 30d)', parseTtl, 8 * 3600)
    .action((o: { tenant: string; role: DashboardRole; ttl: number }) => {
      const { link, token, expiresAt } = createTokenLink(
        { tenant: o.tenant, role: o.role, ttlSeconds: o.ttl },
        process.env,
      );
      process.stderr.write(
        `dashboard link for tenant ${o.tenant} (role ${o.role}), valid until ${expiresAt.toISOString()}; then the token:\n`,
      );
      process.stdout.write(`${link}\n${token}\n`);
    });
  return tokens;
}
