import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { saslSslEnv, useSecureBroker } from '../support/secure-broker';
import { endToEnd } from './end-to-end';

// A whole run at debug level, with both secrets in play (the SASL password, from a mounted file, and a client
// certificate's key on the SASL_SSL listener, which checks a certificate when one is sent): nothing any service or the
// CLI printed holds the password, the key file, or any line of the key.

const leased = useSecureBroker();

describe("a whole run's logs", () => {
  it('hold neither the SASL password nor any part of the key file', async () => {
    const broker = leased();
    const passwordFile = join(mkdtempSync(join(tmpdir(), 'sasl-')), 'password');
    writeFileSync(passwordFile, `${broker.password}\n`, { mode: 0o600 });
    // the password from the mounted file only
    const { KAFKA_SASL_PASSWORD: _, ...env } = saslSslEnv(broker, {
      KAFKA_SASL_PASSWORD_FILE: passwordFile,
      KAFKA_SSL_CERT_FILE: broker.files.clientCert,
      KAFKA_SSL_KEY_FILE: broker.files.clientKey,
      LOG_LEVEL: 'debug',
    });
    const run = await endToEnd(env);
    const logs = [...run.services.output, ...run.cli.flatMap((r) => [r.stdout, r.stderr])].join('\n');
    // the run said a lot: a check of an empty log would prove nothing
    expect(run.services.output.length).toBeGreaterThan(50);
    expect(logs).toContain('pipelines running');

    expect(logs).not.toContain(broker.password);
    const key = readFileSync(broker.files.clientKey, 'utf8');
    expect(logs).not.toContain(key.trim());
    const keyLines = key.split('\n').filter((l) => l.length >= 32 && !l.startsWith('-----'));
    expect(keyLines.length).toBeGreaterThan(10);
    expect(keyLines.filter((l) => logs.includes(l))).toEqual([]);
  }, 420_000);
});
