import {
  type AlertRule,
  type AlertSetting,
  alertThresholdProblem,
  defaultAlertSetting,
  isAlertRule,
} from '@switchboard/domain';
import type { StreamsLogger } from '@switchboard/streams';
import type { Pool } from 'pg';

/** How often the aggregator re-reads `alert_settings`: a changed threshold applies within this time. */
export const ALERT_SETTINGS_REFRESH_MS = 10_000;

/**
 * The tenants' alert thresholds (`alert_settings`), held in memory for the rules (which run synchronously) and
 * re-read every few seconds. A row the aggregator cannot use (a rule it does not know, a threshold out of range)
 * is skipped with a warning and the default applies: a bad setting never stops the alerts of anyone.
 */
export class AlertSettingsCache {
  private settings = new Map<string, AlertSetting>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly logger: StreamsLogger,
  ) {}

  readonly lookup = (tenant: string, rule: AlertRule): AlertSetting =>
    this.settings.get(`${tenant}/${rule}`) ?? defaultAlertSetting(rule);

  async refresh(): Promise<void> {
    const { rows } = await this.pool.query<{ tenant: string; rule: string; threshold: number; enabled: boolean }>(
      'SELECT tenant, rule, threshold, enabled FROM alert_settings',
    );
    const next = new Map<string, AlertSetting>();
    for (const r of rows) {
      const problem = isAlertRule(r.rule) ? alertThresholdProblem(r.rule, r.threshold) : `unknown rule ${r.rule}`;
      if (problem) {
        this.logger.warn(`alert setting of tenant ${r.tenant} ignored: ${problem}`);
        continue;
      }
      next.set(`${r.tenant}/${r.rule}`, { threshold: r.threshold, enabled: r.enabled });
    }
    this.settings = next;
  }

  /** Loads the settings, then keeps re-reading them; a failed read keeps the last ones (and says so). */
  async start(intervalMs = ALERT_SETTINGS_REFRESH_MS): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => {
      this.refresh().catch((err: Error) =>
        this.logger.warn(`alert settings not refreshed, keeping the last ones: ${err.message}`),
      );
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
