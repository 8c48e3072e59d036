/** `npm run db:seed`: migrates, then loads the bundled catalog if the store has no books yet. */
import { ConfigError, loadConfig, loadDotenv } from '../config';
import { createLogger } from '../logger';
import { connectDatabase, describeCause, describeDatabase } from '../db/connection';
import { migrate } from '../db/migrate';
import { seedCatalogIfEmpty } from '../db/seed';

async function main(): Promise<void> {
  loadDotenv();
  const config = loadConfig();
  const target = describeDatabase(config.database);
  const db = await connectDatabase(config, createLogger({ logLevel: 'silent' })).catch((error: unknown) => {
    throw new Error(`cannot reach ${target}: ${describeCause(error)}`);
  });
  try {
    console.log(`Seeding ${target}`);
    await migrate(db.sequelize, (m) => console.log(`  ${m}`));
    const seeded = await seedCatalogIfEmpty(db);
    console.log(seeded ? `Done: loaded ${seeded.books} books by ${seeded.authors} authors.` : 'Done: the store already has books; nothing changed.');
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : `db:seed failed: ${(error as Error).message}`);
  process.exit(1);
});
