import { databasePool } from './database-pool';

describe('the service database pool', () => {
  it('does not throw (and so never kills the process) when an idle connection dies', async () => {
    const pool = databasePool('postgres://nobody@127.0.0.1:1/none', 'spec');
    expect(() => pool.emit('error', new Error('terminating connection due to administrator command'))).not.toThrow();
    await pool.end();
  });

  it('still lets a query fail, so callers see the outage', async () => {
    const pool = databasePool('postgres://nobody@127.0.0.1:1/none', 'spec');
    await expect(pool.query('SELECT 1')).rejects.toThrow();
    await pool.end();
  });
});
