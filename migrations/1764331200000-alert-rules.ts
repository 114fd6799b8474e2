import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The rule names as they were when this migration was written (libs/domain/src/alerts.ts then), frozen: a migration is
 * a snapshot of the schema at its time, so a rule added to the code later comes with a migration of its own.
 */
const ALERT_RULE_NAMES = ['queue_service_level_low', 'queue_longest_wait_high', 'meter_silent', 'meter_energy_spike'];

/**
 * Alert rules: one `alerts` row per alert — rule, entity and the stream time it fired at — so the rules' writer
 * upserts rows by that identity (exactly once with its checkpoint); and the tenants' thresholds.
 */
export class AlertRules1764331200000 implements MigrationInterface {
  name = 'AlertRules1764331200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE UNIQUE INDEX alerts_identity_idx ON alerts (tenant, rule, entity_type, entity_id, fired_at)');
    const rules = ALERT_RULE_NAMES.map((r) => `'${r}'`).join(', ');
    // Ranges per rule are checked by whoever writes (CLI, API) and again by the aggregator, which falls back to the
    // default for a row it cannot use; the table only refuses what no rule could mean.
    await q.query(`
      CREATE TABLE alert_settings (
        tenant      text NOT NULL,
        rule        text NOT NULL CHECK (rule IN (${rules})),
        threshold   double precision NOT NULL CHECK (threshold > 0 AND threshold < 'Infinity'),
        enabled     boolean NOT NULL DEFAULT true,
        updated_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant, rule)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE alert_settings');
    await q.query('DROP INDEX alerts_identity_idx');
  }
}
