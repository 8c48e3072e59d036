import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
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
