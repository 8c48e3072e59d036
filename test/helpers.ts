import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import assert from 'node:assert/strict';
import request, { type Response } from 'supertest';
import { loadConfig, type Config } from '../config';
import { createLogger } from '../logger';
import { connectDatabase, type Database } from '../db/connection';
import { migrate } from '../db/migrate';
import { seedCatalogIfEmpty } from '../db/seed';
import { createApp } from '../app';

export interface TestApp {
  app: Express;
  db: Database;
  config: Readonly<Config>;
  close(): Promise<void>;
}

/** A fresh app on its own SQLite file in a temp dir, migrated and seeded with the bundled catalog. */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const dir = mkdtempSync(path.join(tmpdir(), 'epicbook-test-'));
  const config = loadConfig({}, { NODE_ENV: 'test', SQLITE_FILE: path.join(dir, 'store.sqlite'), ...env });
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
      rmSync(dir, { recursive: true, force: true });
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

  constructor(app: Express) {
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

  add(bookId: number | string, quantity?: number | string, extra: Record<string, string> = {}) {
    return this.post('/cart/items', { bookId: String(bookId), quantity: quantity === undefined ? undefined : String(quantity), ...extra });
  }

  checkout(fields: Partial<Record<string, string>> = {}) {
    return this.post('/checkout', { ...validShipping, ...fields });
  }
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
