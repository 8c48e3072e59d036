/** `npm run db:migrate`: applies every pending migration to the configured database. */
import { migrate } from '../db/migrate';
import { runWithDatabase } from './with-database';

runWithDatabase('db:migrate', async (db, target) => {
  console.log(`Migrating ${target}`);
  const applied = await migrate(db.sequelize, (m) => console.log(`  ${m}`));
  console.log(applied.length ? `Done: ${applied.length} migration(s) applied.` : 'Done: already up to date.');
});
