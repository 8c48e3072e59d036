import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { Book } from '../../models';
import { startTestApp, type TestApp } from '../helpers';
import { bumpCatalogStamp } from '../../services/catalog-cache';
import { ApiContract, PATHS_BY_FILE, assertValidOpenApi31 } from '../api-contract';

let t: TestApp;
let api: ApiContract;
let gatsby: Book;

before(async () => {
  t = await startTestApp();
  api = new ApiContract((await request(t.app).get('/api/openapi.json').expect(200)).body);
  gatsby = (await Book.findOne({ where: { title: 'The Great Gatsby' } }))!;
});
after(() => t.close());

async function get(path: string, url: string, status: number) {
  const res = await request(t.app).get(url);
  assert.equal(res.status, status, `GET ${url} answered ${res.status}: ${res.text.slice(0, 300)}`);
  return { res, body: api.check('GET', path, res) };
}

const books = (url: string, status = 200) => get('/api/books', url, status);

describe('GET /api/openapi.json', () => {
  test('is an OpenAPI 3.1 document of the /api paths, served as JSON', async () => {
    const { body } = await get('/api/openapi.json', '/api/openapi.json', 200);
    assert.equal(body.openapi, '3.1.0');
    assert.ok(Object.keys(body.paths).length >= 9);
    for (const path of Object.keys(body.paths)) assert.match(path, /^\/api\//);
    assert.ok(body.components.schemas.Money && body.components.schemas.Error);
    assertValidOpenApi31(body);
  });
});

describe('GET /api/books', () => {
  test('lists the catalog in pages of 24 by title, with prices in cents and as text', async () => {
    const { body, res } = await books('/api/books');
    assert.equal(body.total, 54);
    assert.equal(body.perPage, 24);
    assert.equal(body.pageCount, 3);
    assert.equal(body.page, 1);
    assert.equal(body.books.length, 24);
    const titles = await Book.findAll({ attributes: ['id'], order: [['title', 'ASC'], ['id', 'ASC']], limit: 24 });
    assert.deepEqual(body.books.map((b: { id: number }) => b.id), titles.map((b) => b.id));
    assert.equal(res.headers['set-cookie'], undefined, 'browsing creates no session and no cookie');
    const { body: all } = await books('/api/books?perPage=100');
    const found = all.books.find((b: { id: number }) => b.id === gatsby.id);
    assert.deepEqual(found.price, { cents: 1700, formatted: '$17.00', currency: 'USD' });
    assert.equal(found.author.name, 'F. Scott Fitzgerald');
    assert.deepEqual(found.genre, { name: 'Classics', slug: 'classics' });
    assert.equal(found.stock, gatsby.inventory);
    assert.equal(found.maxQuantity, Math.min(gatsby.inventory, 99));
    assert.equal(found.url, `/books/${gatsby.id}-the-great-gatsby`);
  });

  test('pages: perPage up to 100, and a page past the end is the last page', async () => {
    const { body: all } = await books('/api/books?perPage=100');
    assert.equal(all.books.length, 54);
    assert.equal(all.pageCount, 1);
    const { body: last } = await books('/api/books?perPage=10&page=999999');
    assert.equal(last.page, 6);
    assert.equal(last.pageCount, 6);
    assert.deepEqual(last.books.map((b: { id: number }) => b.id), all.books.slice(50).map((b: { id: number }) => b.id));
  });

  test('refuses a malformed page or perPage with 400 and says which', async () => {
    const cases: Array<[string, string]> = [
      ['page=0', 'page'], ['page=-1', 'page'], ['page=abc', 'page'], ['page=1.5', 'page'], ['page=1e2', 'page'],
      ['page=1&page=2', 'page'], ['page=99999999999', 'page'], ['perPage=0', 'perPage'], ['perPage=101', 'perPage'],
      ['perPage=%20', 'perPage'],
    ];
    for (const [query, field] of cases) {
      const { body } = await books(`/api/books?${query}`, 400);
      assert.equal(body.error.code, 'bad_request', query);
      assert.ok(body.error.fields[field], `${query} names ${field}`);
    }
  });

  test('sorts by price and year; an unknown sort is title order', async () => {
    const cents = async (sort: string) => (await books(`/api/books?perPage=100&sort=${sort}`)).body.books;
    const ascending = (await cents('price-asc')).map((b: { price: { cents: number } }) => b.price.cents);
    assert.deepEqual(ascending, [...ascending].sort((a, b) => a - b));
    const descending = (await cents('price-desc')).map((b: { price: { cents: number } }) => b.price.cents);
    assert.deepEqual(descending, [...descending].sort((a, b) => b - a));
    const years = (await cents('year-desc')).map((b: { pubYear: number }) => b.pubYear);
    assert.deepEqual(years, [...years].sort((a, b) => b - a));
    const byTitle = (await cents('title')).map((b: { id: number }) => b.id);
    assert.deepEqual((await cents('nonsense')).map((b: { id: number }) => b.id), byTitle);
    assert.notDeepEqual(ascending, byTitle.map(() => 0));
  });

  test('genre narrows to one category; an unknown one is 404', async () => {
    const { body } = await books('/api/books?genre=classics&sort=price-asc');
    assert.equal(body.total, 9);
    assert.ok(body.books.every((b: { genre: { slug: string } }) => b.genre.slug === 'classics'));
    const { body: missing } = await books('/api/books?genre=no-such-genre', 404);
    assert.equal(missing.error.code, 'not_found');
    const { body: long } = await books(`/api/books?genre=${'a'.repeat(101)}`, 400);
    assert.ok(long.error.fields.genre);
  });

  test('q searches title, description and author; sort is ignored, genre refused, length limited', async () => {
    const { body } = await books('/api/books?q=gatsby');
    assert.deepEqual(body.books.map((b: { title: string }) => b.title), ['The Great Gatsby']);
    const { body: byAuthor } = await books('/api/books?q=fitzgerald&sort=price-desc');
    assert.ok(byAuthor.books.some((b: { id: number }) => b.id === gatsby.id));
    const { body: nothing } = await books(`/api/books?q=${encodeURIComponent('%_\\ zzqx')}`);
    assert.equal(nothing.total, 0);
    assert.equal(nothing.pageCount, 1);
    const { body: blank } = await books('/api/books?q=%20%20');
    assert.equal(blank.total, 54, 'an empty search lists every book');
    await books(`/api/books?q=${'a'.repeat(100)}`);
    const { body: long } = await books(`/api/books?q=${'a'.repeat(101)}`, 400);
    assert.match(long.error.fields.q, /at most 100/);
    const { body: mixed } = await books('/api/books?q=gatsby&genre=classics', 400);
    assert.ok(mixed.error.fields.genre);
  });

  test('a removed (hidden) book is neither listed, found nor shown', async () => {
    // Hidden behind the app's back, so the change says so as the admin's removal does (catalog-cache.ts).
    const hide = (removedAt: Date | null) => t.db.writeTransaction(async (transaction) => {
      await gatsby.update({ removedAt }, { transaction });
      await bumpCatalogStamp(transaction);
    });
    await hide(new Date());
    try {
      const { body } = await books('/api/books?perPage=100');
      assert.equal(body.total, 53);
      assert.equal((await books('/api/books?q=gatsby')).body.total, 0);
      await get('/api/books/{id}', `/api/books/${gatsby.id}`, 404);
    } finally {
      await hide(null);
    }
  });

  test('HEAD answers like GET without a body', async () => {
    const res = await request(t.app).head('/api/books').expect(200);
    assert.match(String(res.headers['content-type']), /application\/json/);
    assert.equal(res.text, undefined);
  });
});

describe('GET /api/books/{id}', () => {
  test('shows a book with its description and more by the author', async () => {
    const { body } = await get('/api/books/{id}', `/api/books/${gatsby.id}`, 200);
    assert.equal(body.book.title, 'The Great Gatsby');
    assert.ok(body.book.description.length > 20);
    assert.ok(Array.isArray(body.book.moreByAuthor));
    assert.ok(body.book.moreByAuthor.every((b: { author: { id: number }; id: number }) => b.author.id === gatsby.AuthorId && b.id !== gatsby.id));
  });

  test('a malformed id is 400; an unknown one is 404', async () => {
    for (const id of ['abc', '0', '-3', '1.5', '12-the-great-gatsby', '99999999999', '%20']) {
      const { body } = await get('/api/books/{id}', `/api/books/${id}`, 400);
      assert.ok(body.error.fields.id, id);
    }
    const { body } = await get('/api/books/{id}', '/api/books/999999', 404);
    assert.equal(body.error.code, 'not_found');
  });
});

describe('GET /api/genres', () => {
  test('lists every category with its slug and count', async () => {
    const { body } = await get('/api/genres', '/api/genres', 200);
    assert.equal(body.genres.reduce((sum: number, g: { bookCount: number }) => sum + g.bookCount, 0), 54);
    assert.deepEqual(body.genres.find((g: { slug: string }) => g.slug === 'classics'), { name: 'Classics', slug: 'classics', bookCount: 9 });
  });
});

test('every documented catalog response was checked', () => {
  api.assertCovered(PATHS_BY_FILE['api-catalog.test.ts']);
});
