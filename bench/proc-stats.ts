import { readdirSync, readFileSync } from 'node:fs';

/** Another process's CPU (user + system) in µs from /proc/<pid>/stat; 0 when it is gone. Resolution: 10 ms. */
export function processCpuMicros(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10_000; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return 0;
  }
}

/** Resident set size now (VmRSS) and at its peak so far (VmHWM), MiB; 0 when the process is gone. */
export function processRssMiB(pid: number): { now: number; peak: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
    return { now: Math.round(kib('VmRSS') / 1024), peak: Math.round(kib('VmHWM') / 1024) };
  } catch {
    return { now: 0, peak: 0 };
  }
}

export interface MachineCpu {
  busy: number;
  total: number;
  /** The share of all cores' time spent busy since `earlier` (0–1). */
  busyFraction(earlier: MachineCpu): number;
}

/** Busy and total jiffies of the whole machine (/proc/stat), every core. */
export function machineCpu(): MachineCpu {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  const busy = total - f[3] - (f[4] ?? 0); // idle, iowait
  return {
    busy,
    total,
    busyFraction: (earlier) => (busy - earlier.busy) / Math.max(1, total - earlier.total),
  };
}

/** CPU (user + system) in µs of every `postgres` process (postmaster and backends) now alive. */
export function postgresCpuMicros(): number {
  let total = 0;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) === 'postgres')
        total += processCpuMicros(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return total;
}
