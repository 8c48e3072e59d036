import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request, { type Response } from 'supertest';
import { Book } from '../../models';
import { startTestApp, type TestApp } from '../helpers';
import { ApiContract, PATHS_BY_FILE } from '../api-contract';
import { ApiClient } from '../api-client';

let t: TestApp;
let api: ApiContract;
let gatsby: number;
before(async () => {
  t = await startTestApp();
  api = new ApiContract((await request(t.app).get('/api/openapi.json').expect(200)).body);
  gatsby = (await Book.findOne({ where: { title: 'The Great Gatsby' } }))!.id;
});
after(() => t.close());

/** A JSON error of this status and code, with nothing internal in it. */
function expectError(res: Response, status: number, code: string) {
  assert.equal(res.status, status, `${res.status}: ${res.text.slice(0, 300)}`);
  const body = api.checkError(res);
  assert.equal(body.error.code, code);
  assert.doesNotMatch(res.text, /SQLITE|ER_|stack|node_modules|\.ts:\d+|at \w+ \(/);
  assert.ok(res.headers['x-request-id']);
  return body;
}

test('the test files together check every path of the document, each path in one file', () => {
  const listed = Object.values(PATHS_BY_FILE).flat();
  assert.equal(new Set(listed).size, listed.length, 'a path is listed twice');
  assert.deepEqual([...listed].sort(), Object.keys(api.document.paths).sort());
});

describe('addresses and methods', () => {
  test('an unknown /api path is a JSON 404 whatever the method or Accept header', async () => {
    for (const url of ['/api', '/api/', '/api/nope', '/api/books/1/reviews', '/API/NOPE', '/api/openapi.yaml']) {
      expectError(await request(t.app).get(url).set('Accept', 'text/html'), 404, 'not_found');
    }
    expectError(await request(t.app).post('/api/nope').set('Content-Type', 'application/json').send('{}'), 404, 'not_found');
    expectError(await request(t.app).delete('/api/orders'), 404, 'not_found');
  });

  test('/api paths match without regard to case, as the pages do, and answer the same', async () => {
    const res = await request(t.app).get('/API/Genres').expect(200);
    api.check('GET', '/api/genres', res);
  });

  test('a method a path does not serve is 405 with Allow', async () => {
    const cases: Array<[string, string, string]> = [
      ['post', '/api/books', 'GET, HEAD'],
      ['delete', `/api/books/${gatsby}`, 'GET, HEAD'],
      ['put', '/api/genres', 'GET, HEAD'],
      ['post', '/api/cart', 'GET, HEAD'],
      ['get', '/api/cart/items', 'POST'],
      ['get', `/api/cart/items/${gatsby}`, 'PATCH, DELETE'],
      ['get', '/api/checkout', 'POST'],
      ['patch', '/api/orders/1', 'GET, HEAD'],
      ['post', '/api/openapi.json', 'GET, HEAD'],
      ['options', '/api/books', 'GET, HEAD'],
    ];
    for (const [method, url, allow] of cases) {
      const res = await (request(t.app) as any)[method](url).set('Content-Type', 'application/json').send('{}');
      expectError(res, 405, 'method_not_allowed');
      assert.equal(res.headers.allow, allow, `${method} ${url}`);
      assert.equal(res.headers['access-control-allow-origin'], undefined, 'no CORS: other sites cannot call the API');
    }
  });
});

describe('bodies', () => {
  test('malformed JSON is a JSON 400', async () => {
    for (const text of ['{"bookId": 1', 'nope', '"just a string"', '{"bookId": 1}}']) {
      const res = await request(t.app).post('/api/cart/items').set('Content-Type', 'application/json').send(text);
      expectError(res, 400, 'bad_request');
    }
  });

  test('a body over 16 KB is a JSON 413, before anything else looks at it', async () => {
    const big = JSON.stringify({ bookId: gatsby, quantity: 1, padding: 'x'.repeat(17 * 1024) });
    const res = await request(t.app).post('/api/cart/items').set('Content-Type', 'application/json').send(big);
    expectError(res, 413, 'too_large');
  });

  test('a charset other than UTF-8 is a JSON 415', async () => {
    const res = await request(t.app).post('/api/cart/items').set('Content-Type', 'application/json; charset=klingon').send('{}');
    expectError(res, 415, 'unsupported_media_type');
  });

  test('a page-style form post cannot write through the API, with or without a session', async () => {
    const c = new ApiClient(t.app, api);
    expectError(await request(t.app).post('/api/cart/items').type('form').send(`bookId=${gatsby}`), 415, 'unsupported_media_type');
    await c.add(gatsby, 1, 200, null);
    expectError(await c.agent.post('/api/cart/items').type('form').send(`bookId=${gatsby}&_csrf=${c.token}`), 415, 'unsupported_media_type');
    // And the token belongs in the header: one in a JSON body does not count.
    expectError(await c.agent.post('/api/cart/items').send({ bookId: gatsby, _csrf: c.token }), 403, 'csrf');
    assert.equal((await c.cart()).cart.itemCount, 1);
  });
});

test('a server failure is a JSON 500 with no detail, and the API recovers', async () => {
  const c = new ApiClient(t.app, api);
  await c.add(gatsby, 1, 200, null);
  await t.db.sequelize.query('ALTER TABLE Cartbooks RENAME TO CartbooksGone');
  try {
    const res = await c.agent.get('/api/cart');
    const body = expectError(res, 500, 'internal');
    assert.doesNotMatch(body.error.message, /Cartbooks|table/i);
    api.check('GET', '/api/cart', res);
  } finally {
    await t.db.sequelize.query('ALTER TABLE CartbooksGone RENAME TO Cartbooks');
  }
  assert.equal((await c.cart()).cart.itemCount, 1);
});

test('metrics count API requests under /api route patterns, errors included', async () => {
  await request(t.app).get('/api/books/abc').expect(400);
  await request(t.app).get('/API/books/abc').expect(400);
  await request(t.app).post('/api/genres').expect(405);
  const metrics = (await request(t.app).get('/metrics').expect(200)).text;
  assert.match(metrics, /_count\{[^}]*method="GET",route="\/api\/books\/:id",status="400"\} 2\n/);
  assert.match(metrics, /_count\{[^}]*method="POST",route="\/api\/genres",status="405"\} 1\n/);
});
