import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import type { Express } from 'express';
import { Book } from '../../models';
import { createApp } from '../../app';
import { createLogger } from '../../logger';
import { bumpCatalogStamp } from '../../services/catalog-cache';
import { bookEditForm, Shopper, signedInAdmin, startTestApp, type TestApp } from '../helpers';

// Two apps on one database, each with its own services and so its own cache: two PM2 workers.
let workerA: TestApp;
let workerB: Express;
let admin: Shopper;

before(async () => {
  workerA = await startTestApp();
  workerB = createApp({ config: workerA.config, db: workerA.db, logger: createLogger(workerA.config) });
  admin = await signedInAdmin(workerA);
});
after(async () => workerA.close());

/** The books the home page features, by id, as worker B shows them. */
async function featuredOnB(): Promise<{ html: string; ids: number[] }> {
  const res = await request(workerB).get('/').expect(200);
  const featured = res.text.slice(res.text.indexOf('id="featured-heading"'));
  const ids = [...new Set([...featured.matchAll(/href="\/books\/(\d+)-/g)].map((m) => Number(m[1])))];
  assert.ok(ids.length > 0, 'the home page features books');
  return { html: res.text, ids };
}


describe('catalog cache across workers', () => {
  test('the copy is really cached: a change behind the app\'s back shows only once the stamp moves', async () => {
    const { ids } = await featuredOnB();
    const book = (await Book.findByPk(ids[0]))!;
    await Book.update({ title: 'Changed Behind The App' }, { where: { id: book.id } });
    try {
      assert.doesNotMatch((await featuredOnB()).html, /Changed Behind The App/, 'served from the cache');
      await workerA.db.writeTransaction((t) => bumpCatalogStamp(t));
      assert.match((await featuredOnB()).html, /Changed Behind The App/, 'reloaded after the bump');
    } finally {
      await Book.update({ title: book.title }, { where: { id: book.id } });
      await workerA.db.writeTransaction((t) => bumpCatalogStamp(t));
    }
  });

  test('an admin edit through worker A shows on worker B\'s home page at once', async () => {
    const { ids } = await featuredOnB();
    const book = (await Book.findByPk(ids[0]))!;
    await admin.post(`/admin/books/${book.id}`, bookEditForm(book, { title: 'Renamed Through Worker A' })).expect(303);
    const { html, ids: after } = await featuredOnB();
    assert.ok(after.includes(book.id), 'the same book, still featured');
    assert.match(html, new RegExp(`href="/books/${book.id}-renamed-through-worker-a"`));
  });

  test('a new category added through worker A is in worker B\'s menu and has a page there', async () => {
    const before = await request(workerB).get('/books').expect(200);
    assert.doesNotMatch(before.text, /Cache Studies/);
    await request(workerB).get('/category/cache-studies').expect(404);
    const book = (await Book.findByPk((await featuredOnB()).ids[0]))!;
    await admin.post('/admin/books', { ...bookEditForm(book, { title: 'Stamps and Copies', genre: 'Cache Studies', inventory: '3' }), AuthorId: String(book.AuthorId) }).expect(303);
    const after = await request(workerB).get('/books').expect(200);
    assert.match(after.text, /href="\/category\/cache-studies"/);
    const page = await request(workerB).get('/category/cache-studies').expect(200);
    assert.match(page.text, /Stamps and Copies/);
  });

  test('a sale through worker A that sells a featured book out takes it off worker B\'s home page', async () => {
    const { ids } = await featuredOnB();
    const soldOut = ids[ids.length - 1];
    await Book.update({ inventory: 2 }, { where: { id: soldOut } });
    // Still in stock: no stamp change was needed for that, and B still features it.
    assert.ok((await featuredOnB()).ids.includes(soldOut));

    const shopper = new Shopper(workerA.app);
    await shopper.add(soldOut, 1).expect(303);
    await shopper.checkout().expect(303);
    assert.ok((await featuredOnB()).ids.includes(soldOut), 'one copy left: still featured');

    const last = new Shopper(workerA.app);
    await last.add(soldOut, 1).expect(303);
    await last.checkout().expect(303);
    assert.equal((await Book.findByPk(soldOut))!.inventory, 0);
    assert.ok(!(await featuredOnB()).ids.includes(soldOut), 'sold out: no longer featured');
  });
});
