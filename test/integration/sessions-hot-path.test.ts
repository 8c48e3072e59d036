import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { QueryTypes } from 'sequelize';
import { Shopper, startTestApp, type TestApp } from '../helpers';

let app: TestApp;
before(async () => {
  app = await startTestApp();
});
after(async () => app.close());

const sessionRows = () =>
  app.db.sequelize.query<{ sid: string; expires: string | Date; updatedAt: string | Date; data: string }>(
    'SELECT sid, expires, updatedAt, data FROM Sessions ORDER BY sid',
    { type: QueryTypes.SELECT },
  );

test('a shopper with a session only reads it on page views; it is written when it changes', async () => {
  const shopper = new Shopper(app.app);
  assert.deepEqual(await sessionRows(), [], 'browsing alone stores no session');
  await shopper.add(1, 1).expect(303);
  // The cart page shows the add's flash message and so removes it: a change, saved.
  await shopper.agent.get('/cart').expect(200);
  const [saved] = await sessionRows();
  assert.ok(saved, 'the add stored the session');
  assert.doesNotMatch(saved.data, /flash/);

  await new Promise((resolve) => setTimeout(resolve, 1100)); // past the stored timestamps' one-second precision
  for (const page of ['/cart', '/', '/books', '/cart']) await shopper.agent.get(page).expect(200);
  assert.deepEqual(await sessionRows(), [saved], 'views left the row as it was: no write per request');

  await shopper.add(2, 1).expect(303);
  const [changed] = await sessionRows();
  assert.notEqual(String(changed.updatedAt), String(saved.updatedAt), 'a change is saved');
  assert.notEqual(String(changed.expires), String(saved.expires), 'and its expiry renewed with it');
});
