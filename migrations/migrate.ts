// npm run migrate | migrate:revert — applies pending migrations, or reverts the newest one.
import { createMigrationDataSource } from './data-source';

export async function migrateUp(url?: string): Promise<string[]> {
  const ds = await createMigrationDataSource(url).initialize();
  try {
    return (await ds.runMigrations({ transaction: 'each' })).map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}

export async function migrateDown(url?: string, steps = 1): Promise<void> {
  const ds = await createMigrationDataSource(url).initialize();
  try {
    for (let i = 0; i < steps; i++) await ds.undoLastMigration({ transaction: 'each' });
  } finally {
    await ds.destroy();
  }
}

async function main(cmd: string): Promise<void> {
  if (cmd === 'up') {
    const applied = await migrateUp();
    console.log(
      applied.length
        ? `[switchboard] migrations applied: ${applied.join(', ')}`
        : '[switchboard] database schema up to date',
    );
  } else if (cmd === 'down') {
    await migrateDown();
    console.log('[switchboard] reverted the newest migration');
  } else {
    throw new Error(`Unknown command "${cmd}": use up or down.`);
  }
}

if (require.main === module) {
  main(process.argv[2] ?? 'up').catch((err: Error) => {
    console.error(`[switchboard] migration failed: ${err.message}`);
    process.exit(1);
  });
}
