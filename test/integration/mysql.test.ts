import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net, { type Server, type Socket } from 'node:net';
import path from 'node:path';
import mysql from 'mysql2/promise';
import request from 'supertest';
import { loadConfig, projectRoot } from '../../config';
import { createLogger } from '../../logger';
import { connectDatabase, type Database } from '../../db/connection';
import { migrate } from '../../db/migrate';
import { seedCatalogIfEmpty } from '../../db/seed';
import { createApp } from '../../app';
import { Book, Checkout } from '../../models';
import { Shopper, createTestDatabase, mysqlServer, startTestApp, testDialect, type TestDatabase } from '../helpers';

const skip = testDialect !== 'mysql' && 'MySQL-only (runs in the TEST_DB=mysql pass of npm test)';

function mysqlClient(): string {
  for (const name of ['mariadb', 'mysql']) if (spawnSync('sh', ['-c', `command -v ${name}`]).status === 0) return name;
  throw new Error('no mysql/mariadb client installed (apt-get install -y mariadb-client)');
}

/** Feeds a file to the real command-line client, as an operator would: mysql DB < file. */
function importFile(database: string, file: string): void {
  const server = mysqlServer();
  const result = spawnSync(
    mysqlClient(),
    ['--no-defaults', `--host=${server.host}`, `--port=${server.port}`, `--user=${server.user}`, database],
    { input: readFileSync(path.join(projectRoot, file)), env: { ...process.env, MYSQL_PWD: server.password }, encoding: 'utf8' },
  );
  assert.equal(result.status, 0, `${file}: ${result.stderr}`);
}

async function query<T>(database: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const server = mysqlServer();
  const conn = await mysql.createConnection({ host: server.host, port: server.port, user: server.user, password: server.password, database });
  try {
    const [rows] = await conn.query(sql, params);
    return rows as T[];
  } finally {
    await conn.end();
  }
}

async function appOn(database: TestDatabase) {
  const config = loadConfig({}, { NODE_ENV: 'test', ...database.env });
  const logger = createLogger(config);
  const db = await connectDatabase(config, logger);
  return { db, config, logger };
}

describe('MySQL: SQL files for the mysql client', { skip }, () => {
  let database: TestDatabase;
  let db: Database | undefined;
  before(async () => {
    database = await createTestDatabase();
  });
  after(async () => {
    await db?.close();
    await database.drop();
  });

  test('schema.sql and the seed files import into an empty database, twice, and the app sells from it', async () => {
    for (const file of ['db/schema.sql', 'db/author_seed.sql', 'db/books_seed.sql']) importFile(database.name, file);
    const checksum = () => query<{ Checksum: number }>(database.name, 'CHECKSUM TABLE Authors, Books');
    const first = await checksum();
    for (const file of ['db/schema.sql', 'db/author_seed.sql', 'db/books_seed.sql']) importFile(database.name, file);
    assert.deepEqual(await checksum(), first, 'running the files again changes nothing');

    const [counts] = await query<{ authors: number; books: number }>(
      database.name,
      'SELECT (SELECT COUNT(*) FROM Authors) AS authors, (SELECT COUNT(*) FROM Books) AS books',
    );
    assert.deepEqual({ authors: Number(counts.authors), books: Number(counts.books) }, { authors: 53, books: 54 });
    const prices = await query<{ price: string }>(database.name, "SELECT CAST(price AS CHAR) AS price FROM Books WHERE title = 'The Room Where It Happened'");
    assert.equal(prices[0].price, '32.50');
    const bronte = await query<{ lastName: string }>(database.name, "SELECT lastName FROM Authors WHERE firstName = 'Emily'");
    assert.equal(bronte[0].lastName, 'Brontë');

    const app = await appOn(database);
    db = app.db;
    assert.deepEqual(await migrate(db.sequelize), [], 'the schema already counts as migrated');
    assert.equal(await seedCatalogIfEmpty(db), null, 'the imported catalog is kept');
    const shopper = new Shopper(createApp(app));
    const book = (await Book.findOne({ where: { title: 'The Hobbit' } }))!;
    await shopper.add(book.id, 2).expect(303);
    const placed = await shopper.checkout().expect(303);
    const page = await shopper.agent.get(placed.headers.location).expect(200);
    assert.match(page.text, /Your order is placed!/);
    assert.match(page.text, /\$71\.92/);
    assert.equal((await Book.findByPk(book.id))!.inventory, book.inventory - 2);
  });
});

describe('MySQL: db/schema.sql matches the migrations', { skip }, () => {
  let fromMigrations: TestDatabase;
  let fromFile: TestDatabase;
  before(async () => {
    fromMigrations = await createTestDatabase();
    fromFile = await createTestDatabase();
  });
  after(async () => {
    await fromMigrations.drop();
    await fromFile.drop();
  });

  async function describeSchema(database: string) {
    // Plain objects, so deepEqual compares values and not the driver's row classes.
    const strip = (rows: unknown[]) => rows.map((r) => ({ ...(r as Record<string, unknown>) }));
    return {
      tables: strip(await query(database, 'SELECT TABLE_NAME, ENGINE, TABLE_COLLATION FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME', [database])),
      columns: strip(await query(database, `SELECT TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA, CHARACTER_SET_NAME, COLLATION_NAME
        FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, ORDINAL_POSITION`, [database])),
      indexes: strip(await query(database, `SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME
        FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`, [database])),
      foreignKeys: strip(await query(database, `SELECT rc.TABLE_NAME, rc.CONSTRAINT_NAME, k.COLUMN_NAME, rc.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, rc.UPDATE_RULE, rc.DELETE_RULE
        FROM information_schema.REFERENTIAL_CONSTRAINTS rc
        JOIN information_schema.KEY_COLUMN_USAGE k ON k.CONSTRAINT_SCHEMA = rc.CONSTRAINT_SCHEMA AND k.CONSTRAINT_NAME = rc.CONSTRAINT_NAME AND k.TABLE_NAME = rc.TABLE_NAME
        WHERE rc.CONSTRAINT_SCHEMA = ? ORDER BY rc.TABLE_NAME, rc.CONSTRAINT_NAME`, [database])),
      migrations: strip(await query(database, 'SELECT name FROM SequelizeMeta ORDER BY name')),
    };
  }

  test('tables, columns, types, defaults, indexes, foreign keys and recorded migrations are the same', async () => {
    const app = await appOn(fromMigrations);
    await migrate(app.db.sequelize);
    await app.db.close();
    importFile(fromFile.name, 'db/schema.sql');

    const expected = await describeSchema(fromMigrations.name);
    const actual = await describeSchema(fromFile.name);
    assert.ok(expected.columns.length > 40, 'the migrations built the schema');
    for (const part of ['tables', 'columns', 'indexes', 'foreignKeys', 'migrations'] as const) {
      assert.deepEqual(actual[part], expected[part], `db/schema.sql differs from the migrations in ${part}`);
    }
  });
});

/** A TCP hop between the app and MySQL that a test can cut and restore, like a network or server outage. */
class CuttableProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;
  constructor(private readonly target: { host: string; port: number }) {}

  async open(): Promise<void> {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  async cut(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server!.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}

describe('MySQL: the database goes away and comes back', { skip }, () => {
  test('pages answer a friendly 503 while it is down and recover by themselves; nothing crashes', async () => {
    const server = mysqlServer();
    const proxy = new CuttableProxy(server);
    await proxy.open();
    const probe = await createTestDatabase();
    const t = await startTestApp({ DATABASE_URL: server.urlFor(probe.name).replace(`:${server.port}/`, `:${proxy.port}/`) });
    try {
      const shopper = new Shopper(t.app);
      const book = (await Book.findOne({ where: { title: 'Dune' } }))!;
      await shopper.add(book.id, 1).expect(303);
      const ordersBefore = await Checkout.count();

      await proxy.cut();
      for (const path of ['/', '/books', `/books/${book.id}-dune`, '/cart']) {
        const res = await shopper.agent.get(path);
        assert.equal(res.status, 503, path);
        assert.match(res.text, /having trouble reaching its database/, path);
        assert.doesNotMatch(res.text, /ECONNREFUSED|Sequelize|at \w+ \(/, path);
      }
      const json = await request(t.app).get('/').set('Accept', 'application/json').expect(503);
      assert.equal(json.body.error.code, 'unavailable');
      await request(t.app).get('/readyz').expect(503);
      await request(t.app).get('/healthz').expect(200);
      const refused = await shopper.checkout();
      assert.equal(refused.status, 503);

      await proxy.open();
      let status = 0;
      for (let i = 0; i < 50 && status !== 200; i += 1) {
        status = (await shopper.agent.get('/cart')).status;
        if (status !== 200) await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(status, 200, 'recovered without a restart');
      await request(t.app).get('/readyz').expect(200);
      await shopper.checkout().expect(303);
      assert.equal(await Checkout.count(), ordersBefore + 1);
    } finally {
      await proxy.cut().catch(() => {});
      await t.close();
      await probe.drop();
    }
  });
});
