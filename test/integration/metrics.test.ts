import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { Shopper, signedInAdmin, startTestApp, type TestApp } from '../helpers';

let app: TestApp;
before(async () => {
  app = await startTestApp();
});
after(async () => app.close());

async function scrape(): Promise<string> {
  const res = await request(app.app).get('/metrics').expect(200);
  assert.match(res.headers['content-type'], /^text\/plain; version=0\.0\.4/);
  assert.equal(res.headers['set-cookie'], undefined, 'a scrape never starts a session');
  return res.text;
}

/** The value of the series `name` carrying every one of `labels` (in any order), or 0 when absent. */
function value(text: string, name: string, labels: Record<string, string> = {}): number {
  const line = text.split('\n').find((l) =>
    (l.startsWith(`${name} `) || l.startsWith(`${name}{`)) &&
    Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('GET /metrics', () => {
  test('counts requests by route pattern and status, and times them', async () => {
    await request(app.app).get('/books/1-whatever').expect(301);
    await request(app.app).get('/books/2').expect(301);
    await request(app.app).get('/').expect(200);
    const text = await scrape();
    assert.equal(value(text, 'epicbook_http_requests_total', { method: 'GET', route: '/books/:param', status: '301', worker: '0' }), 2);
    assert.equal(value(text, 'epicbook_http_request_duration_seconds_count', { route: '/', status: '200' }), 1);
    assert.equal(value(text, 'epicbook_http_request_duration_seconds_bucket', { le: '+Inf', route: '/', status: '200' }), 1);
    assert.match(text, /epicbook_process_resident_memory_bytes/);
  });

  test('made-up URLs share one series, so clients cannot grow the metrics without bound', async () => {
    for (const path of ['/nope-1', '/nope-2', '/wp-admin.php', '/%E2%82%AC']) await request(app.app).get(path).expect(404);
    const text = await scrape();
    assert.doesNotMatch(text, /nope-1|wp-admin/);
    assert.ok(value(text, 'epicbook_http_requests_total', { route: 'unmatched', status: '404' }) >= 4);
  });

  test('an admin page that fails keeps its full route in the label', async () => {
    const admin = await signedInAdmin(app);
    await admin.agent.get('/admin/books/999999/edit').expect(404);
    const text = await scrape();
    assert.equal(value(text, 'epicbook_http_requests_total', { route: '/admin/books/:id/edit', status: '404' }), 1);
    assert.equal(value(text, 'epicbook_http_requests_total', { route: '/books/:id/edit', status: '404' }), 0);
  });

  test('counts carts created and orders placed', async () => {
    const before = await scrape();
    const shopper = new Shopper(app.app);
    await shopper.add(1).expect(303);
    await shopper.add(2).expect(303);
    await shopper.checkout().expect(303);
    const after = await scrape();
    assert.equal(value(after, 'epicbook_carts_created_total') - value(before, 'epicbook_carts_created_total'), 1);
    assert.equal(value(after, 'epicbook_orders_placed_total') - value(before, 'epicbook_orders_placed_total'), 1);
  });

  test('reports the database pool on MySQL', { skip: process.env.TEST_DB !== 'mysql' && 'SQLite has no pool' }, async () => {
    const text = await scrape();
    assert.ok(value(text, 'epicbook_db_pool_connections', { state: 'open' }) >= 1);
  });
});
