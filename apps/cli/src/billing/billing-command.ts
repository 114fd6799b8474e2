import { rename, rm, writeFile } from 'node:fs/promises';
import { type EnergyRow, energyCsv, energyIntervals, parseEnergyQuery } from '@switchboard/billing';
import { Command } from 'commander';
import { openPool } from '../db';

interface ExportOptions {
  tenant: string;
  from: string;
  to: string;
  interval: string;
  meter?: string;
  out?: string;
}

/** `N rows, M meters, K incomplete`: what an operator checks before sending the file on. */
export function exportSummary(rows: readonly EnergyRow[]): string {
  const meters = new Set(rows.map((r) => r.meterId)).size;
  const incomplete = rows.filter((r) => !r.complete).length;
  return `${rows.length} rows, ${meters} meters, ${incomplete} incomplete`;
}

/** Writes the whole file or nothing: a failed export never leaves half a CSV under the name asked for. */
async function writeWhole(file: string, text: string): Promise<void> {
  const partial = `${file}.${process.pid}.partial`;
  try {
    await writeFile(partial, text);
    await rename(partial, file);
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
}

async function exportEnergy(o: ExportOptions): Promise<void> {
  // Refused input throws EnergyQueryError before any connection: main prints its sentence and exits 1.
  const query = parseEnergyQuery({ tenant: o.tenant, meterId: o.meter, from: o.from, to: o.to, interval: o.interval });
  const pool = openPool();
  let rows: EnergyRow[];
  try {
    rows = await energyIntervals(pool, query);
  } finally {
    await pool.end();
  }
  const csv = energyCsv(rows);
  if (o.out) await writeWhole(o.out, csv);
  else process.stdout.write(csv);
  process.stderr.write(`${exportSummary(rows)}\n`);
}

/** `switchboard billing export`: a tenant's exact interval energy as CSV (see libs/billing/README.md). */
export function billingCommand(): Command {
  const billing = new Command('billing').description('exact energy per meter for invoices, read from Postgres');
  billing
    .command('export')
    .description(
      "a tenant's energy per meter and interval as CSV (RFC 4180) on stdout or --out; a summary line on stderr",
    )
    .requiredOption('--tenant <tenant>', 'tenant id')
    .requiredOption('--from <time>', 'first interval start, inclusive (epoch ms or RFC 3339)')
    .requiredOption('--to <time>', 'last interval start, exclusive (epoch ms or RFC 3339)')
    .option('--interval <interval>', "15m | 1h | 1d (each meter's local days)", '1d')
    .option('--meter <meterId>', "one meter (default: all the tenant's meters)")
    .option('--out <file>', 'write the CSV to this file instead of stdout')
    .action(exportEnergy);
  return billing;
}
