/** `npm run db:migrate`: applies every pending migration to the configured database. */
import { ConfigError, loadConfig, loadDotenv } from '../config';
import { createLogger } from '../logger';
import { connectDatabase, describeCause, describeDatabase } from '../db/connection';
import { migrate } from '../db/migrate';

async function main(): Promise<void> {
  loadDotenv();
  const config = loadConfig();
  const target = describeDatabase(config.database);
  const db = await connectDatabase(config, createLogger({ logLevel: 'silent' })).catch((error: unknown) => {
    throw new Error(`cannot reach ${target}: ${describeCause(error)}`);
  });
  try {
    console.log(`Migrating ${target}`);
    const applied = await migrate(db.sequelize, (m) => console.log(`  ${m}`));
    console.log(applied.length ? `Done: ${applied.length} migration(s) applied.` : 'Done: already up to date.');
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : `db:migrate failed: ${(error as Error).message}`);
  process.exit(1);
});
