import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { Book } from '../../models';
import { Shopper, startTestApp, type TestApp } from '../helpers';

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
