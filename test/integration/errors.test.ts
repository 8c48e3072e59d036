import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import sqlite3 from 'sqlite3';
import express from 'express';
import { errorHandler } from '../../middleware/errors';
import { sqlRunner } from '../../db/sql';
import { syncSqliteOf } from '../../db/connection';
import { createLogger } from '../../logger';
import { Book } from '../../models';
import { Shopper, startTestApp, testDialect, type TestApp } from '../helpers';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(() => t.close());

test('an unexpected failure is a 500 page with a reference, never a stack trace', async () => {
  const shopper = new Shopper(t.app);
  const book = await Book.findOne();
  await shopper.add(book!.id).expect(303);
  // Break the schema under the running app: a programmer/operator error, not the shopper's fault.
  await t.db.sequelize.query('ALTER TABLE Cartbooks RENAME TO CartbooksGone');
  try {
    const page = await shopper.agent.get('/cart').expect(500);
    assert.match(page.text, /Something went wrong/);
    const requestId = page.headers['x-request-id'];
    assert.ok(requestId);
    assert.match(page.text, new RegExp(`reference <code>${requestId}</code>`));
    assert.doesNotMatch(page.text, /SQLITE|Cartbooks|at \w+ \(|node_modules|\.ts:\d+/);

    const json = await shopper.agent.get('/cart').set('Accept', 'application/json').expect(500);
    assert.equal(json.body.error.code, 'internal');
    assert.doesNotMatch(JSON.stringify(json.body), /SQLITE|stack|Cartbooks/);
  } finally {
    await t.db.sequelize.query('ALTER TABLE CartbooksGone RENAME TO Cartbooks');
  }
  await shopper.agent.get('/cart').expect(200);
});

test('cookies in cookie-parser\'s JSON form (j:...) are ignored, never a 500', async () => {
  // Warm the page cache first, so a hit is tried with the odd cookies too.
  await request(t.app).get('/books').expect(200);
  for (const cookie of ['epicbook.csrf=j:1', 'epicbook.sid=j:1', 'epicbook.sid=j:["x"]', 'epicbook.csrf=j:{}; epicbook.sid=j:{}']) {
    for (const url of ['/books', '/', '/cart', '/login', '/api/cart']) {
      const res = await request(t.app).get(url).set('Cookie', cookie);
      assert.equal(res.status, 200, `${url} with ${cookie}: ${res.status}`);
    }
  }
  // A form post with such a cookie is refused like any post without a valid token.
  const post = await request(t.app).post('/cart/items').set('Cookie', 'epicbook.csrf=j:1').type('form').send({ bookId: '1', _csrf: 'x' });
  assert.equal(post.status, 403);
});

test('a write that cannot get SQLite\'s lock in time is a 503 to try again, not a 500', { skip: testDialect !== 'sqlite' && 'SQLite\'s file lock' }, async () => {
  const shopper = new Shopper(t.app);
  const book = await Book.findOne({ where: { title: 'Dune' } });
  await shopper.add(book!.id).expect(303);
  // Another process holds the write lock; the app's writer gives up after 50 ms instead of 5 s.
  type Writer = { configure(option: 'busyTimeout', ms: number): void };
  const manager = t.db.sequelize.connectionManager as unknown as { getConnection(o: { uuid: string }): Promise<Writer>; releaseConnection(c: Writer): void };
  const writer = await manager.getConnection({ uuid: 'errors-test' });
  writer.configure('busyTimeout', 50);
  manager.releaseConnection(writer);
  // The plain-SQL writer (better-sqlite3) retries for the same 5 s; here it gives up after 50 ms too.
  syncSqliteOf(t.db)?.setBusyTimeout(50);
  const other = await new Promise<sqlite3.Database>((resolve, reject) => {
    const db = new sqlite3.Database(t.config.database.dialect === 'sqlite' ? t.config.database.storage : '', (error) => (error ? reject(error) : resolve(db)));
  });
  const run = (text: string) => new Promise<void>((resolve, reject) => other.run(text, (error) => (error ? reject(error) : resolve())));
  await run('BEGIN IMMEDIATE');
  try {
    const page = await shopper.add(book!.id);
    assert.equal(page.status, 503);
    assert.equal(page.headers['retry-after'], '5');
    assert.match(page.text, /having trouble reaching its database/);
    assert.doesNotMatch(page.text, /SQLITE/);
  } finally {
    await run('COMMIT');
    await new Promise<void>((resolve) => other.close(() => resolve()));
    writer.configure('busyTimeout', 5000);
    syncSqliteOf(t.db)?.setBusyTimeout(5000);
  }
  await shopper.add(book!.id).expect(303);
});

test('a socket error from anything but the database is a 500, not "database unavailable"', async () => {
  const app = express();
  app.get('/api/elsewhere', () => {
    // What an outbound HTTP or mail call that failed would throw: same code as a database connection refused.
    throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:25'), { errno: -111, code: 'ECONNREFUSED', syscall: 'connect' });
  });
  app.get('/api/database', async () => {
    // The driver's own error from a plain statement: the one case the same codes mean the database.
    const sql = sqlRunner(t.db.sequelize);
    try {
      await sql.all('SELECT * FROM NoSuchTable');
    } catch (error) {
      throw Object.assign(error as Error, { code: testDialect === 'sqlite' ? 'SQLITE_BUSY' : 'ER_LOCK_WAIT_TIMEOUT' });
    }
  });
  app.use(errorHandler(createLogger({ ...t.config, logLevel: 'silent' })));
  const elsewhere = await request(app).get('/api/elsewhere').expect(500);
  assert.equal(elsewhere.body.error.code, 'internal');
  const database = await request(app).get('/api/database').expect(503);
  assert.equal(database.body.error.code, 'unavailable');
});
