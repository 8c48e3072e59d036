import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import assert from 'node:assert/strict';
import request, { type Response } from 'supertest';
import mysql from 'mysql2/promise';
import { loadConfig, type Config } from '../config';
import { createLogger } from '../logger';
import { connectDatabase, type Database } from '../db/connection';
import { migrate } from '../db/migrate';
import { seedCatalogIfEmpty } from '../db/seed';
import { createApp } from '../app';
import { createAccountService } from '../services/accounts';
import type { Book } from '../models';

export interface TestApp {
  app: Express;
  db: Database;
  config: Readonly<Config>;
  close(): Promise<void>;
}

/** Which database this run of the suite uses: SQLite by default, MySQL/MariaDB when TEST_DB=mysql. */
export const testDialect: 'sqlite' | 'mysql' = process.env.TEST_DB === 'mysql' ? 'mysql' : 'sqlite';

let databaseCounter = 0;

/** Connection settings of the MySQL server named by TEST_MYSQL_URL (its user may create epicbook_test_* databases). */
export function mysqlServer() {
  const raw = process.env.TEST_MYSQL_URL;
  if (!raw) throw new Error('TEST_DB=mysql needs TEST_MYSQL_URL=mysql://user:pass@127.0.0.1:3307/epicbook_test');
  const url = new URL(raw);
  return {
    host: url.hostname,
    port: Number(url.port || 3306),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    urlFor: (database: string) => Object.assign(new URL(raw), { pathname: `/${database}` }).toString(),
  };
}

export interface TestDatabase {
  /** Environment that points the app at this database. */
  env: Record<string, string>;
  name: string;
  drop(): Promise<void>;
}

/** An empty database of its own for one test file: a SQLite file in a temp dir, or a new MySQL schema. */
export async function createTestDatabase(dialect: 'sqlite' | 'mysql' = testDialect): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'epicbook-test-'));
    return {
      env: { SQLITE_FILE: path.join(dir, 'store.sqlite') },
      name: path.join(dir, 'store.sqlite'),
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const server = mysqlServer();
  databaseCounter += 1;
  const name = `epicbook_test_${process.pid}_${databaseCounter}`;
  const admin = await mysql.createConnection({ host: server.host, port: server.port, user: server.user, password: server.password });
  await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();
  return {
    env: { DATABASE_URL: server.urlFor(name) },
    name,
    async drop() {
      const conn = await mysql.createConnection({ host: server.host, port: server.port, user: server.user, password: server.password });
      await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await conn.end();
    },
  };
}

/** A fresh app on a database of its own, migrated and seeded with the bundled catalog. */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  // Every test browser comes from 127.0.0.1, so the per-address sign-up limit is lifted unless a test sets it.
  const config = loadConfig({}, { NODE_ENV: 'test', AUTH_MAX_SIGNUPS_PER_ADDRESS: '100000', ...database.env, ...env });
  const logger = createLogger(config);
  const db = await connectDatabase(config, logger);
  await migrate(db.sequelize);
  await seedCatalogIfEmpty(db);
  const app = createApp({ config, db, logger });
  return {
    app,
    db,
    config,
    async close() {
      await db.close();
      await database.drop();
    },
  };
}

/** The `_csrf` value of the first form on a page. */
export function csrfFrom(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('no CSRF token on the page');
  return match[1];
}

/** The number in the header badge. */
export function badgeCount(html: string): number {
  const match = /data-cart-count="(\d+)"/.exec(html);
  if (!match) throw new Error('no cart badge on the page');
  return Number(match[1]);
}

/** One browser: keeps its cookies and knows its CSRF token, like a shopper's tab. */
export class Shopper {
  readonly agent: ReturnType<typeof request.agent>;
  private token = '';

  /** `app` in this process, or the address of a store running in another (http://127.0.0.1:port). */
  constructor(app: Express | string) {
    this.agent = request.agent(app);
  }

  async csrf(): Promise<string> {
    if (!this.token) {
      const res = await this.agent.get('/').expect(200);
      this.token = csrfFrom(res.text);
    }
    return this.token;
  }

  /** A form POST with this browser's token; await it, or `.expect(status)` to assert the status too. */
  post(url: string, form: Record<string, string | number | undefined>) {
    const sent = (async () => {
      const body = new URLSearchParams();
      body.set('_csrf', await this.csrf());
      for (const [key, value] of Object.entries(form)) if (value !== undefined) body.set(key, String(value));
      return this.agent.post(url).type('form').send(body.toString());
    })();
    return Object.assign(sent, {
      async expect(status: number): Promise<Response> {
        const res = await sent;
        assert.equal(res.status, status, `POST ${url} answered ${res.status}: ${res.text.slice(0, 300)}`);
        return res;
      },
    });
  }

  /** Forget the cached CSRF token (it is bound to the account, so it changes at sign-in and sign-out). */
  resetCsrf(): void {
    this.token = '';
  }

  /** Signs in through the form; resolves to the response (a 303 on success). */
  async signIn(email: string, password: string, extra: Record<string, string> = {}): Promise<Response> {
    const res = await this.post('/login', { email, password, ...extra });
    this.resetCsrf();
    return res;
  }

  async signUp(fields: { name: string; email: string; password: string }): Promise<Response> {
    const res = await this.post('/register', fields);
    this.resetCsrf();
    return res;
  }

  async signOut(): Promise<Response> {
    const res = await this.post('/logout', {});
    this.resetCsrf();
    return res;
  }

  add(bookId: number | string, quantity?: number | string, extra: Record<string, string> = {}) {
    return this.post('/cart/items', { bookId: String(bookId), quantity: quantity === undefined ? undefined : String(quantity), ...extra });
  }

  checkout(fields: Partial<Record<string, string>> = {}) {
    return this.post('/checkout', { ...validShipping, ...fields });
  }
}

export const ADMIN = { email: 'admin@epicbook.test', password: 'admin-password-123', name: 'Store Admin' };

/** A browser signed in as the store's admin (created on first use, as ADMIN_EMAIL would at start). */
export async function signedInAdmin(test: TestApp): Promise<Shopper> {
  await createAccountService(test.db, test.config.passwordHashCost).ensureAdmin(ADMIN, { id: null, email: 'test setup' });
  const admin = new Shopper(test.app);
  const res = await admin.signIn(ADMIN.email, ADMIN.password);
  assert.equal(res.status, 303, `admin sign-in answered ${res.status}`);
  return admin;
}

let shopperCounter = 0;

/** A browser signed in to a new shopper account of its own. */
export async function signedInShopper(test: TestApp, name = 'Grace Hopper'): Promise<{ shopper: Shopper; email: string; password: string }> {
  shopperCounter += 1;
  const email = `shopper${process.pid}-${shopperCounter}@example.com`;
  const password = 'correct-horse-battery';
  const shopper = new Shopper(test.app);
  const res = await shopper.signUp({ name, email, password });
  assert.equal(res.status, 303, `sign-up answered ${res.status}: ${res.text.slice(0, 300)}`);
  return { shopper, email, password };
}

export const validShipping = {
  fullName: 'Ada Lovelace',
  email: 'ada@example.com',
  addressLine1: '12 Analytical Way',
  addressLine2: 'Apt 3',
  city: 'Springfield',
  state: 'IL',
  zipCode: '62701',
};

/** The admin edit form of `book` as it stands, with `changes` made: what an admin submits. */
export function bookEditForm(book: Book, changes: Record<string, string>): Record<string, string> {
  return {
    title: book.title,
    AuthorId: String(book.AuthorId),
    genre: book.genre,
    pubYear: String(book.pubYear ?? ''),
    price: String(book.price),
    inventory: String(book.inventory),
    inventoryWas: String(book.inventory),
    bookDescription: book.bookDescription ?? '',
    ...changes,
  };
}
