/**
 * The advisory lock that keeps a replay and the aggregators of a database apart (two int4 keys: 'SBAG', 1). It is
 * per database, not per namespace or group prefix: a replay empties the aggregate tables, which hold every tenant's
 * rows and no namespace column, so no aggregator of any namespace may write there meanwhile.
 */
export const DEPLOYMENT_LOCK = { classId: 0x53424147, objId: 1 } as const;

/** A session holding (or waiting for) the lock, as pg_locks and pg_stat_activity tell. */
export interface LockHolder {
  pid: number;
  mode: 'shared' | 'exclusive';
  /** The session's application_name (the services set theirs: `aggregator`, `switchboard-replay`). */
  application: string;
  address: string | null;
  since: Date | null;
}

/** One phrase naming who holds the lock: "2 aggregator sessions (pid 41 from 10.0.0.5 since …, pid 57 …)". */
export function describeHolders(holders: readonly LockHolder[]): string {
  if (holders.length === 0) return 'no session (it was just released)';
  const apps = [...new Set(holders.map((h) => h.application || 'unnamed'))].join(', ');
  const shown = holders.slice(0, 3).map((h) => {
    const from = h.address ? ` from ${h.address}` : '';
    const since = h.since ? ` since ${h.since.toISOString()}` : '';
    return `pid ${h.pid}${from}${since}`;
  });
  const more = holders.length > shown.length ? `, and ${holders.length - shown.length} more` : '';
  return `${holders.length} ${apps} session${holders.length === 1 ? '' : 's'} (${shown.join('; ')}${more})`;
}

/**
 * The query that lists the lock's granted holders in this database (pg_locks shows every database's; advisory keys
 * are per database), mode ShareLock: shared, ExclusiveLock: exclusive.
 */
export const LOCK_HOLDERS_SQL = `
  SELECT l.pid, l.mode, coalesce(a.application_name, '') AS application, host(a.client_addr) AS address,
         a.backend_start AS since
  FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
  WHERE l.locktype = 'advisory' AND l.classid = $1 AND l.objid = $2 AND l.objsubid = 2 AND l.granted
    AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
  ORDER BY a.backend_start, l.pid`;

/** A row of LOCK_HOLDERS_SQL as a LockHolder. */
export function holderOf(row: {
  pid: number;
  mode: string;
  application: string;
  address: string | null;
  since: Date | null;
}): LockHolder {
  return {
    pid: row.pid,
    mode: row.mode === 'ExclusiveLock' ? 'exclusive' : 'shared',
    application: row.application,
    address: row.address,
    since: row.since,
  };
}
