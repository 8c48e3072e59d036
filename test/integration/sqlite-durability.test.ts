/**
 * SQLite's synchronous level is a per-connection setting: every connection the app opens (the shared
 * reader, the writer connection, and any extra one a second transaction gets) must run with it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { QueryTypes } from 'sequelize';
import { SQLITE_SYNCHRONOUS } from '../../db/connection';
import { startTestApp, testDialect, type TestApp } from '../helpers';

const LEVELS: Record<string, number> = { OFF: 0, NORMAL: 1, FULL: 2, EXTRA: 3 };
const sqliteOnly = { skip: testDialect !== 'sqlite' && 'SQLite-only' };

let t: TestApp;
before(async () => {
  if (testDialect === 'sqlite') t = await startTestApp();
});
after(() => t?.close());

test('the journal is WAL and every connection runs with synchronous=NORMAL', sqliteOnly, async () => {
  assert.equal(SQLITE_SYNCHRONOUS, 'NORMAL');
  const level = LEVELS[SQLITE_SYNCHRONOUS];
  const mode = await t.db.sql().one<{ journal_mode: string }>('PRAGMA journal_mode');
  assert.equal(mode?.journal_mode, 'wal');

  // The shared connection, through both Sequelize and db.sql().
  const [viaSequelize] = await t.db.sequelize.query<{ synchronous: number }>('PRAGMA synchronous', { type: QueryTypes.SELECT });
  assert.equal(viaSequelize.synchronous, level);
  assert.equal((await t.db.sql().one<{ synchronous: number }>('PRAGMA synchronous'))?.synchronous, level);

  // better-sqlite3's writer under db.sqlWriteTransaction (its reader answered db.sql() above).
  assert.equal((await t.db.sqlWriteTransaction((sql) => sql.one<{ synchronous: number }>('PRAGMA synchronous')))?.synchronous, level);

  // The writer connection of a write transaction, and a second connection opened while it is busy.
  await t.db.writeTransaction(async (transaction) => {
    assert.equal((await t.db.sql(transaction).one<{ synchronous: number }>('PRAGMA synchronous'))?.synchronous, level);
    const second = await t.db.sequelize.transaction({ type: 'DEFERRED' as never }, async (other) => (
      t.db.sql(other).one<{ synchronous: number }>('PRAGMA synchronous')
    ));
    assert.equal(second?.synchronous, level);
  });
});
