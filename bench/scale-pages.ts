/**
 * A quick timing of the scenarios against whatever database the environment names
 * (SQLITE_FILE or DATABASE_URL), one request at a time, so the 54-book store and a generated one
 * can be compared: `SQLITE_FILE=/tmp/big.sqlite npx tsx bench/scale-pages.ts [rounds]`.
 * It writes (carts and orders), so point it at a copy. Prints the median and 90th percentile per scenario.
 */
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { QueryTypes } from 'sequelize';
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { connectDatabase } from '../db/connection';
import { migrate } from '../db/migrate';
import { createApp } from '../app';
import { createAccountService } from '../services/accounts';
import { slugify } from '../lib/slug';

const rounds = Number(process.argv[2] ?? 30);
const ADMIN = { email: 'bench-admin@epicbook.test', password: 'bench-admin-password', name: 'Bench Admin' };
const shipping = { fullName: 'Ada Lovelace', email: 'ada@example.com', addressLine1: '12 Analytical Way', city: 'Springfield', state: 'IL', zipCode: '62701' };

type Agent = ReturnType<typeof request.agent>;

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

function expect(status: number, res: { status: number; text: string }, what: string) {
  if (res.status !== status) throw new Error(`${what}: ${res.status} ${res.text.slice(0, 200)}`);
}

async function main() {
  const config = loadConfig(process.env, { NODE_ENV: 'test', LOG_LEVEL: 'silent', AUTH_MAX_SIGNUPS_PER_ADDRESS: '100000' });
  const logger = createLogger(config);
  const db = await connectDatabase(config, logger);
  await migrate(db.sequelize);
  await createAccountService(db, config.passwordHashCost).ensureAdmin(ADMIN, { id: null, email: 'bench setup' });
  const app = createApp({ config, db, logger });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const [{ genre }] = await db.sequelize.query<{ genre: string }>(
    'SELECT genre FROM Books WHERE removedAt IS NULL GROUP BY genre ORDER BY COUNT(*) DESC LIMIT 1', { type: QueryTypes.SELECT });
  const [{ id: bookId }] = await db.sequelize.query<{ id: number }>(
    "SELECT id FROM Books WHERE removedAt IS NULL ORDER BY id LIMIT 1", { type: QueryTypes.SELECT });
  // Checkouts need copies to sell, round after round.
  await db.sequelize.query('UPDATE Books SET inventory = 100000 WHERE id = :bookId', { replacements: { bookId } });
  const categoryUrl = `/category/${slugify(genre)}`;

  const admin = request.agent(base);
  const form = await admin.get('/login');
  const signIn = await admin.post('/login').type('form').send({ _csrf: csrfOf(form.text), email: ADMIN.email, password: ADMIN.password });
  expect(303, signIn, 'admin sign-in');

  const scenarios: Record<string, () => Promise<void>> = {
    home: async () => expect(200, await request(base).get('/'), 'home'),
    category: async () => expect(200, await request(base).get(categoryUrl), 'category'),
    'book page': async () => expect(200, await request(base).get(`/books/${bookId}`).redirects(1), 'book'),
    search: async () => expect(200, await request(base).get('/search?q=summer'), 'search'),
    '/books last page': async () => expect(200, await request(base).get('/books?page=999999'), 'books last'),
    'add to cart + view cart (new visitor)': async () => {
      const visitor: Agent = request.agent(base);
      const page = await visitor.get(`/books/${bookId}`).redirects(1);
      expect(303, await visitor.post('/cart/items').type('form').send({ _csrf: csrfOf(page.text), bookId }), 'add');
      expect(200, await visitor.get('/cart'), 'cart');
    },
    'checkout (add, form, place)': async () => {
      const visitor: Agent = request.agent(base);
      const page = await visitor.get(`/books/${bookId}`).redirects(1);
      const token = csrfOf(page.text);
      expect(303, await visitor.post('/cart/items').type('form').send({ _csrf: token, bookId }), 'add');
      expect(200, await visitor.get('/checkout'), 'checkout form');
      expect(303, await visitor.post('/checkout').type('form').send({ _csrf: token, ...shipping }), 'place');
    },
    'admin dashboard': async () => expect(200, await admin.get('/admin'), 'dashboard'),
  };

  console.log(`${config.database.dialect === 'sqlite' ? config.database.storage : 'MySQL'}: ${rounds} rounds, ms (median / p90)`);
  for (const [name, run] of Object.entries(scenarios)) {
    for (let i = 0; i < 3; i += 1) await run();
    const times: number[] = [];
    for (let i = 0; i < rounds; i += 1) {
      const started = performance.now();
      await run();
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))].toFixed(1);
    console.log(`  ${name.padEnd(40)} ${at(0.5).padStart(7)} / ${at(0.9).padStart(7)}`);
  }
  server.close();
  await db.close();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
