/**
 * Two store processes on one database, as two PM2 workers run: each keeps its own page cache, and a
 * sale through one must show on the other's cached book page at once, without a stamp to tell it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { createTestDatabase, Shopper, type TestDatabase } from '../helpers';
import { freePort, startChild, waitFor, type Child } from '../deploy/support';

let database: TestDatabase;
const workers: Array<{ child: Child; url: string }> = [];

async function startWorker(): Promise<{ child: Child; url: string }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = startChild(process.execPath, ['--import', 'tsx', 'server.ts'], {
    NODE_ENV: 'test',
    PORT: String(port),
    LOG_LEVEL: 'warn',
    ...database.env,
  });
  await waitFor(async () => (await fetch(`${url}/readyz`).catch(() => undefined))?.ok === true, `the store on ${url} (${child.output()})`, 60_000);
  return { child, url };
}

before(async () => {
  database = await createTestDatabase();
  // One after the other: the first creates, migrates and seeds the database.
  workers.push(await startWorker());
  workers.push(await startWorker());
});

after(async () => {
  for (const worker of workers) await worker.child.stop();
  await database?.drop();
});

const stockShown = (html: string): number => Number(/data-stock="(\d+)"/.exec(html)![1]);

test('a sale through one process shows on the other\'s cached book page at once, as a hit', async () => {
  const [a, b] = workers;
  const url = (await request(a.url).get('/books/1').expect(301)).headers.location as string;
  for (const worker of [a, b]) await request(worker.url).get(url).expect(200);
  const before = await request(b.url).get(url).expect(200);
  assert.equal(before.headers['x-page-cache'], 'hit');
  const stock = stockShown(before.text);
  assert.ok(stock > 3, 'enough stock for both sales');

  const buyer = new Shopper(a.url);
  await buyer.add(1, 2).expect(303);
  await buyer.checkout().expect(303);
  const afterSaleOnA = await request(b.url).get(url).expect(200);
  assert.equal(afterSaleOnA.headers['x-page-cache'], 'hit');
  assert.equal(stockShown(afterSaleOnA.text), stock - 2);
  assert.match(afterSaleOnA.text, new RegExp(`>${stock - 2} in stock<`));

  const other = new Shopper(b.url);
  await other.add(1, 1).expect(303);
  await other.checkout().expect(303);
  for (const worker of [a, b]) {
    const page = await request(worker.url).get(url).expect(200);
    assert.equal(page.headers['x-page-cache'], 'hit', worker.url);
    assert.equal(stockShown(page.text), stock - 3, worker.url);
  }
});
