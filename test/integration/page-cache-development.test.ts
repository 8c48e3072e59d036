import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { startTestApp, type TestApp } from '../helpers';

let t: TestApp;
before(async () => {
  t = await startTestApp({ NODE_ENV: 'development' });
});
after(() => t.close());

test('in development every catalog page is rendered afresh, so an edited template shows at once', async () => {
  for (let i = 0; i < 2; i += 1) {
    const res = await request(t.app).get('/category/classics').expect(200);
    assert.equal(res.headers['x-page-cache'], undefined);
  }
});
