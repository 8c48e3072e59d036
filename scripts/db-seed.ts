/** `npm run db:seed`: migrates, then loads the bundled catalog if the store has no books yet. */
import { migrate } from '../db/migrate';
import { seedCatalogIfEmpty } from '../db/seed';
import { runWithDatabase } from './with-database';

runWithDatabase('db:seed', async (db, target) => {
  console.log(`Seeding ${target}`);
  await migrate(db.sequelize, (m) => console.log(`  ${m}`));
  const seeded = await seedCatalogIfEmpty(db);
  console.log(seeded ? `Done: loaded ${seeded.books} books by ${seeded.authors} authors.` : 'Done: the store already has books; nothing changed.');
});
