import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../config';
import { Book } from '../../models';
import { badgeCount, startTestApp, type TestApp } from '../helpers';

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(() => t.close());

async function bookIdByTitle(title: string): Promise<number> {
  const book = await Book.findOne({ where: { title } });
  assert.ok(book, `seeded book ${title}`);
  return book.id;
}

describe('home page', () => {
  test('shows the tagline, featured books, every category, search and an empty cart badge', async () => {
    const res = await request(t.app).get('/').expect(200).expect('Content-Type', /html/);
    assert.match(res.text, /Discover Your Next Great Read/);
    assert.equal(badgeCount(res.text), 0);
    assert.ok((res.text.match(/class="book-card"/g) ?? []).length >= 6, 'featured grid');
    for (const slug of ['childrens-books', 'classics', 'fantasy', 'nyt-bestsellers', 'social-justice', 'top-9']) {
      assert.match(res.text, new RegExp(`href="/category/${slug}"`));
    }
    assert.match(res.text, /<form action="\/search" method="get"/);
    assert.match(res.text, /\$\d+\.\d{2}/, 'prices');
  });

  test('browsing creates no session and stores nothing', async () => {
    for (const path of ['/', '/books', '/category/classics', '/search?q=dune', '/gallery', '/cart']) {
      const res = await request(t.app).get(path).expect(200);
      const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
      assert.ok(!cookies.some((c) => c.startsWith('epicbook.sid=')), `no session cookie from ${path}`);
    }
    const [rows] = await t.db.sequelize.query('SELECT COUNT(*) AS n FROM Sessions');
    assert.equal(Number((rows as Array<{ n: number }>)[0].n), 0);
  });

  test('sends a strict CSP and loads every asset from this origin', async () => {
    const res = await request(t.app).get('/').expect(200);
    const csp = String(res.headers['content-security-policy']);
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /upgrade-insecure-requests/);
    const external = res.text.match(/(?:src|href)="(?:https?:)?\/\/[^"]+"/g) ?? [];
    assert.deepEqual(external, []);
    await request(t.app).get('/assets/vendor/pico/pico.red.min.css').expect(200).expect('Content-Type', /css/);
    await request(t.app).get('/assets/css/app.css').expect(200);
    await request(t.app).get('/assets/js/app.js').expect(200).expect('Content-Type', /javascript/);
  });

  test('links its stylesheets and script by versioned URLs that serve those files', async () => {
    const res = await request(t.app).get('/').expect(200);
    // Handlebars writes the = of an attribute as &#x3D;, which the browser reads back as =.
    const links = [...res.text.matchAll(/(?:href|src)="(\/assets\/[^"]+\.(?:css|js)[^"]*)"/g)].map((m) => m[1].replaceAll('&#x3D;', '='));
    assert.equal(links.length, 3, links.join(' '));
    for (const link of links) {
      assert.match(link, /\?v=[0-9a-f]{12}$/, link);
      const asset = await request(t.app).get(link).expect(200);
      const file = link.startsWith('/assets/vendor/pico/') ? `node_modules/@picocss/pico/css/${link.slice(20).split('?')[0]}` : `public/${link.slice(8).split('?')[0]}`;
      assert.equal(asset.text, readFileSync(path.join(projectRoot, file), 'utf8'), link);
    }
  });
});

describe('categories', () => {
  test('lists the books of one genre at a bookmarkable URL', async () => {
    const res = await request(t.app).get('/category/childrens-books').expect(200);
    assert.match(res.text, /<h1>Children&#x27;s Books<\/h1>/);
    assert.match(res.text, /Where the Wild Things Are/);
    assert.doesNotMatch(res.text, /The Great Gatsby/);
    assert.match(res.text, /9 books/);
  });

  test('an unknown category is a 404 page', async () => {
    const res = await request(t.app).get('/category/cookbooks').expect(404);
    assert.match(res.text, /no category by that name/);
  });
});

describe('full catalog', () => {
  test('paginates every book', async () => {
    const first = await request(t.app).get('/books').expect(200);
    assert.match(first.text, /54 books · page 1 of 3/);
    assert.equal((first.text.match(/class="book-card"/g) ?? []).length, 24);
    const last = await request(t.app).get('/books?page=3').expect(200);
    assert.equal((last.text.match(/class="book-card"/g) ?? []).length, 6);
    // A page past the end shows the last page rather than an error.
    const beyond = await request(t.app).get('/books?page=999').expect(200);
    assert.match(beyond.text, /page 3 of 3/);
    await request(t.app).get('/books?page=abc').expect(200);
  });

  test('sorts by price and year', async () => {
    const cheap = await request(t.app).get('/books?sort=price-asc').expect(200);
    assert.match(cheap.text.slice(cheap.text.indexOf('book-grid')), /^[\s\S]*?\$5\.99/);
    const dear = await request(t.app).get('/books?sort=price-desc').expect(200);
    const firstTitle = /class="book-card-title"><a [^>]+>([^<]+)</.exec(dear.text)?.[1];
    assert.equal(firstTitle, 'Outlander');
    const oldest = await request(t.app).get('/books?sort=year-asc').expect(200);
    assert.equal(/class="book-card-title"><a [^>]+>([^<]+)</.exec(oldest.text)?.[1], 'Pride and Prejudice');
    // Unknown sorts, including names every object inherits, fall back to title order.
    for (const sort of [';DROP TABLE Books', '__proto__', 'toString', 'constructor']) {
      const odd = await request(t.app).get(`/books?sort=${encodeURIComponent(sort)}`).expect(200);
      assert.equal(/class="book-card-title"><a [^>]+>([^<]+)</.exec(odd.text)?.[1], '28 Summers', sort);
      assert.doesNotMatch(odd.text, /sort=(__proto__|toString|constructor|%3BDROP)/, `${sort} is not echoed into links`);
    }
  });
});

describe('gallery', () => {
  test('shows every cover with alt text', async () => {
    const res = await request(t.app).get('/gallery').expect(200);
    const images = res.text.match(/<img src="\/books\/\d+\/cover\.svg[^>]*alt="Cover of [^"]+"/g) ?? [];
    assert.equal(images.length, 48);
    const second = await request(t.app).get('/gallery?page=2').expect(200);
    assert.equal((second.text.match(/\/cover\.svg/g) ?? []).length, 6);
  });
});

describe('search', () => {
  test('matches title, author and description, ignoring case', async () => {
    const byTitle = await request(t.app).get('/search?q=GATSBY').expect(200);
    assert.match(byTitle.text, /The Great Gatsby/);
    const byAuthor = await request(t.app).get('/search?q=silverstein').expect(200);
    assert.match(byAuthor.text, /The Giving Tree/);
    assert.match(byAuthor.text, /Where the Sidewalk Ends/);
    const byFullName = await request(t.app).get('/search?q=harper%20lee').expect(200);
    assert.match(byFullName.text, /To Kill a Mockingbird/);
    const byDescription = await request(t.app).get('/search?q=atticus').expect(200);
    assert.match(byDescription.text, /To Kill a Mockingbird/);
  });

  test('empty, absurd and hostile queries get a friendly page', async () => {
    const empty = await request(t.app).get('/search?q=').expect(200);
    assert.match(empty.text, /Type a few words/);
    await request(t.app).get('/search').expect(200);
    const long = await request(t.app).get(`/search?q=${'a'.repeat(5000)}`).expect(200);
    assert.match(long.text, /longer than 100 characters/);
    const none = await request(t.app).get('/search?q=zzzzqqqq').expect(200);
    assert.match(none.text, /No books match/);
    const wildcard = await request(t.app).get('/search?q=%25%25_').expect(200);
    // Wildcards are dropped, so nothing is left to match: not every book, and not an error.
    assert.match(wildcard.text, /No books match/);
    const injection = await request(t.app).get(`/search?q=${encodeURIComponent("' OR 1=1 --")}`).expect(200);
    assert.match(injection.text, /No books match/);
    const script = await request(t.app).get(`/search?q=${encodeURIComponent('<script>alert(1)</script>')}`).expect(200);
    assert.doesNotMatch(script.text, /<script>alert/);
    assert.match(script.text, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    // Repeated parameters arrive as an array; they are not a crash.
    await request(t.app).get('/search?q=a&q=b').expect(200);
  });
});

describe('book page', () => {
  test('shows everything a shopper needs, at its canonical URL', async () => {
    const id = await bookIdByTitle('Where the Sidewalk Ends');
    const bare = await request(t.app).get(`/books/${id}`).expect(301);
    assert.equal(bare.headers.location, `/books/${id}-where-the-sidewalk-ends`);
    const res = await request(t.app).get(bare.headers.location).expect(200);
    assert.match(res.text, /<h1>Where the Sidewalk Ends<\/h1>/);
    assert.match(res.text, /by Shel Silverstein/);
    assert.match(res.text, /\$19\.99/);
    assert.match(res.text, /Children&#x27;s Books/);
    assert.match(res.text, /1974/);
    assert.match(res.text, /data-stock="7">7 in stock</);
    assert.match(res.text, /More by Shel Silverstein[\s\S]*The Giving Tree/);
    assert.match(res.text, /name="quantity"[^>]*max="7"/);
    assert.match(res.text, /cover\.svg/);
  });

  test('an out-of-stock book says so and cannot be added', async () => {
    const id = await bookIdByTitle('Maus');
    await Book.update({ inventory: 0 }, { where: { id } });
    const res = await request(t.app).get(`/books/${id}-maus`).expect(200);
    assert.match(res.text, /data-stock="0">Out of stock</);
    assert.match(res.text, /<button type="button" class="secondary" disabled>Out of stock<\/button>/);
    assert.doesNotMatch(res.text, /action="\/cart\/items"/, 'no add-to-cart form for a sold-out book');
    await Book.update({ inventory: 8 }, { where: { id } });
  });

  test('a missing or malformed id is a 404 page, never a crash', async () => {
    for (const path of ['/books/99999', '/books/abc', '/books/-1', '/books/1.5', '/books/0', '/books/99999999999999', "/books/1'%20OR%201=1", '/books/%00']) {
      const res = await request(t.app).get(path);
      assert.equal(res.status, 404, path);
      assert.match(res.text, /Page not found/, path);
    }
  });

  test('covers are generated SVG with cache headers', async () => {
    const id = await bookIdByTitle('Dune');
    const res = await request(t.app).get(`/books/${id}/cover.svg`).buffer(true).parse((r, done) => {
      let text = '';
      r.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      r.on('end', () => done(null, text));
    }).expect(200).expect('Content-Type', /image\/svg\+xml/);
    assert.match(res.body as string, /^<svg/);
    assert.match(res.body as string, /Dune/);
    assert.match(String(res.headers['cache-control']), /public, max-age=\d+/);
    assert.equal(res.headers['set-cookie'], undefined, 'a publicly cacheable response carries no cookie');
    await request(t.app).get('/books/99999/cover.svg').expect(404);
    await request(t.app).get('/books/x/cover.svg').expect(404);
  });
});

describe('errors', () => {
  test('an unknown page is a friendly 404 in the layout; JSON clients get JSON', async () => {
    const res = await request(t.app).get('/no/such/page').expect(404);
    assert.match(res.text, /Page not found/);
    assert.match(res.text, /data-cart-count/);
    const json = await request(t.app).get('/no/such/page').set('Accept', 'application/json').expect(404);
    assert.deepEqual(Object.keys(json.body.error).sort(), ['code', 'message']);
  });

  test('a URL with a broken %-escape is a 400 page, not a server error', async () => {
    for (const path of ['/books/%E0', '/category/%E0%A4%A', '/orders/%ZZ', '/books/%E0/cover.svg']) {
      const res = await request(t.app).get(path);
      assert.equal(res.status, 400, path);
      assert.match(res.text, /That address is not valid|could not handle that request/, path);
    }
  });

  test('health and readiness answer without a session', async () => {
    const live = await request(t.app).get('/healthz').expect(200);
    assert.equal(live.body.status, 'ok');
    const ready = await request(t.app).get('/readyz').expect(200);
    assert.equal(ready.body.status, 'ready');
  });
});

describe('asset caching in production', () => {
  let prod: TestApp;
  before(async () => {
    prod = await startTestApp({ NODE_ENV: 'production', SESSION_SECRET: 'a'.repeat(64) });
  });
  after(() => prod.close());

  test('a versioned URL may be kept for a year; a plain one for a week, then revalidated', async () => {
    const home = await request(prod.app).get('/').expect(200);
    const css = /href="(\/assets\/css\/app\.css\?v&#x3D;[0-9a-f]{12})"/.exec(home.text)![1].replace('&#x3D;', '=');
    const versioned = await request(prod.app).get(css).expect(200);
    assert.equal(versioned.headers['cache-control'], 'public, max-age=31536000, immutable');
    const plain = await request(prod.app).get('/assets/css/app.css').expect(200);
    assert.equal(plain.headers['cache-control'], 'public, max-age=604800');
    const madeUp = await request(prod.app).get('/assets/css/app.css?v=1').expect(200);
    assert.equal(madeUp.headers['cache-control'], 'public, max-age=604800', 'only a real version is cached for good');
    const otherVersion = await request(prod.app).get('/assets/css/app.css?v=0123456789ab').expect(200);
    assert.equal(otherVersion.headers['cache-control'], 'public, max-age=604800', 'nor another deploy\'s version of the file');
  });
});
