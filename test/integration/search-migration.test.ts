import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { QueryTypes, Sequelize } from 'sequelize';
import { createMigrator } from '../../db/migrate';
import { searchPage } from '../../services/book-search';
import { searchWords } from '../../lib/search-text';
import { createTestDatabase, type TestDatabase } from '../helpers';

let database: TestDatabase;
let sequelize: Sequelize;

// A bare connection without the app's models, so this file can stand in for a store of an older release.
before(async () => {
  database = await createTestDatabase();
  sequelize = database.env.DATABASE_URL
    ? new Sequelize(database.env.DATABASE_URL, { logging: false })
    : new Sequelize({ dialect: 'sqlite', storage: database.env.SQLITE_FILE, logging: false });
});
after(async () => {
  await sequelize.close();
  await database.drop();
});

test('migration 0004 fills the author names of existing books and indexes them', async () => {
  const migrator = await createMigrator(sequelize);
  await migrator.up({ to: '0002-accounts-admin' });
  const now = new Date();
  await sequelize.query('INSERT INTO Authors (firstName, lastName, createdAt, updatedAt) VALUES (?, ?, ?, ?)', { replacements: ['Ada', 'Oldstore', now, now] });
  const [{ id: authorId }] = await sequelize.query<{ id: number }>('SELECT id FROM Authors', { type: QueryTypes.SELECT });
  await sequelize.query(
    'INSERT INTO Books (title, genre, price, inventory, bookDescription, AuthorId, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    { replacements: ['Legacy Almanac', 'Fiction', '9.00', 1, 'Written before search had an index.', authorId, now, now] },
  );

  // Up to 0004 only (whatever comes between runs too), so down() below undoes exactly 0004.
  assert.equal((await migrator.up({ to: '0004-book-search' })).map((m) => m.name).at(-1), '0004-book-search');
  const [book] = await sequelize.query<{ id: number; authorName: string }>('SELECT id, authorName FROM Books', { type: QueryTypes.SELECT });
  assert.equal(book.authorName, 'Ada Oldstore');
  const search = (q: string) => ({ words: searchWords(q), scope: 'store' as const, status: 'listed' as const });
  const found = async (q: string) => (await searchPage(sequelize, search(q), { page: 1, perPage: 10 })).ids;
  assert.deepEqual(await found('oldstore almanac'), [book.id]);
  assert.deepEqual(await found('written index'), [book.id]);
  assert.deepEqual(await found('almanac nowhere'), []);

  // Down and up again: the migration undoes cleanly and is repeatable.
  assert.deepEqual((await migrator.down()).map((m) => m.name), ['0004-book-search']);
  await migrator.up({ to: '0004-book-search' });
  assert.deepEqual(await found('oldstore'), [book.id]);
});
