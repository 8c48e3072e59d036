import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { AuditLog, Book } from '../../models';
import { MAX_COVER_BYTES } from '../../middleware/uploads';
import { Shopper, signedInAdmin, signedInShopper, startTestApp, type TestApp } from '../helpers';

// The smallest valid PNG (1×1, transparent), a JPEG and a WebP header: enough for a signature check.
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6300010000000500010d0a2db40000000049454e44ae426082', 'hex');
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(64, 1)]);
const WEBP = Buffer.concat([Buffer.from('RIFF'), Buffer.from([0x24, 0, 0, 0]), Buffer.from('WEBPVP8 '), Buffer.alloc(40, 2)]);

let test_: TestApp;
let admin: Shopper;

const newBook = (overrides: Record<string, string> = {}) => ({
  title: 'The Lighthouse Keeper',
  AuthorId: '',
  authorFirstName: 'Mara',
  authorLastName: 'Quill',
  genre: 'Fantasy',
  pubYear: '2024',
  price: '18.50',
  inventory: '7',
  bookDescription: 'A keeper, a storm and a map that redraws itself.',
  ...overrides,
});

/** A multipart form post from a signed-in browser, the way the book form sends it. */
async function postBookForm(who: Shopper, url: string, fields: Record<string, string>, cover?: { data: Buffer; filename: string; type: string }, csrf = true) {
  const req = who.agent.post(url);
  if (csrf) req.field('_csrf', await who.csrf());
  for (const [key, value] of Object.entries(fields)) req.field(key, value);
  if (cover) req.attach('cover', cover.data, { filename: cover.filename, contentType: cover.type });
  return req;
}

async function bookByTitle(title: string) {
  const book = await Book.findOne({ where: { title } });
  assert.ok(book, `no book titled ${title}`);
  return book;
}

before(async () => {
  test_ = await startTestApp();
  admin = await signedInAdmin(test_);
});
after(async () => test_.close());

describe('admin books: who may use them', () => {
  const pages = ['/admin/books', '/admin/books/new', '/admin/books/1/edit', '/admin/books/1/delete'];
  const posts = ['/admin/books', '/admin/books/1', '/admin/books/1/stock', '/admin/books/1/delete', '/admin/books/1/restore'];

  test('a guest is sent to sign in, and comes back afterwards', async () => {
    for (const page of pages) {
      const res = await request(test_.app).get(page).expect(303);
      assert.equal(res.headers.location, `/login?next=${encodeURIComponent(page)}`);
    }
    for (const url of posts) {
      const res = await request(test_.app).post(url).type('form').send('title=x').expect(303);
      assert.equal(res.headers.location, '/login');
    }
  });

  test('a guest’s upload is turned away at the gate', async () => {
    const res = await request(test_.app).post('/admin/books').field('title', 'Guest Upload').attach('cover', PNG, { filename: 'a.png', contentType: 'image/png' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, '/login');
    assert.equal(await Book.count({ where: { title: 'Guest Upload' } }), 0);
  });

  test('a signed-in shopper gets 403 on every page and every form', async () => {
    const { shopper } = await signedInShopper(test_);
    for (const page of pages) await shopper.agent.get(page).expect(403);
    for (const url of posts) await shopper.post(url, { title: 'x', change: '5', reason: 'because' }).expect(403);
    const multipart = await postBookForm(shopper, '/admin/books', newBook({ title: 'Sneaky' }), { data: PNG, filename: 'a.png', type: 'image/png' });
    assert.equal(multipart.status, 403);
    assert.equal(await Book.count({ where: { title: 'Sneaky' } }), 0);
  });

  test('an admin sees the list, the forms and the confirmation page', async () => {
    for (const page of pages) await admin.agent.get(page).expect(200);
  });

  test('a form without its CSRF token is refused, upload or not', async () => {
    const res = await postBookForm(admin, '/admin/books', newBook({ title: 'No Token' }), undefined, false);
    assert.equal(res.status, 403);
    await admin.agent.post('/admin/books/1/stock').type('form').send('change=5&reason=delivery').expect(403);
    assert.equal(await Book.count({ where: { title: 'No Token' } }), 0);
  });
});

describe('admin books: list', () => {
  test('searches by title or author and pages through the catalog', async () => {
    const byAuthor = await admin.agent.get('/admin/books?q=hilderbrand').expect(200);
    assert.match(byAuthor.text, /28 Summers/);
    assert.doesNotMatch(byAuthor.text, /Harry Potter/);
    const first = await admin.agent.get('/admin/books').expect(200);
    assert.match(first.text, /rel="next"/);
    const odd = await admin.agent.get('/admin/books?status=%3Cscript%3E&page=zz&q=%25%25').expect(200);
    assert.doesNotMatch(odd.text, /<script>/);
  });
});

describe('admin books: add', () => {
  test('adds a book by a new author with an uploaded cover, and the store shows it', async () => {
    const res = await postBookForm(admin, '/admin/books', newBook(), { data: PNG, filename: 'cover.png', type: 'image/png' });
    assert.equal(res.status, 303, res.text.slice(0, 300));
    const book = await bookByTitle('The Lighthouse Keeper');
    assert.equal(res.headers.location, `/admin/books/${book.id}/edit`);
    assert.equal(book.coverType, 'image/png');
    assert.equal(book.inventory, 7);

    const search = await request(test_.app).get('/search?q=lighthouse').expect(200);
    assert.match(search.text, /The Lighthouse Keeper/);
    // Handlebars writes the `=` of the query string as &#x3D;, which the browser reads back as `=`.
    const version = new RegExp(`/books/${book.id}/cover\\.png\\?v&#x3D;(\\d+)`).exec(search.text)?.[1];
    assert.ok(version, 'the store links the uploaded cover');
    const coverUrl = `/books/${book.id}/cover.png?v=${version}`;
    const cover = await request(test_.app).get(coverUrl).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    }).expect(200);
    assert.equal(cover.headers['content-type'], 'image/png');
    assert.equal(cover.headers['x-content-type-options'], 'nosniff');
    assert.ok(PNG.equals(cover.body as Buffer));
    await request(test_.app).get(`/books/${book.id}/cover.jpg`).expect(404);

    const audit = await AuditLog.findAll({ where: { entityType: 'book', entityId: book.id } });
    assert.deepEqual(audit.map((a) => a.action), ['book.create']);
    assert.equal(audit[0].actorEmail, 'admin@epicbook.test');
    assert.equal(await AuditLog.count({ where: { action: 'author.create' } }), 1);
  });

  test('JPEG and WebP covers are accepted by their bytes', async () => {
    for (const [data, type, title] of [[JPEG, 'image/jpeg', 'Jpeg Book'], [WEBP, 'image/webp', 'Webp Book']] as const) {
      const res = await postBookForm(admin, '/admin/books', newBook({ title }), { data, filename: 'whatever.bin', type: 'application/octet-stream' });
      assert.equal(res.status, 303, res.text.slice(0, 300));
      assert.equal((await bookByTitle(title)).coverType, type);
    }
  });

  test('a file that is not an image is refused whatever its name says, with the typed values kept', async () => {
    const html = Buffer.from('<html><script>alert(1)</script></html>');
    const res = await postBookForm(admin, '/admin/books', newBook({ title: 'Fake Cover' }), { data: html, filename: 'cover.png', type: 'image/png' });
    assert.equal(res.status, 422);
    assert.match(res.text, /The cover must be a PNG, JPEG or WebP image/);
    assert.match(res.text, /value="Fake Cover"/);
    assert.equal(await Book.count({ where: { title: 'Fake Cover' } }), 0);
  });

  test('a cover over 2 MB is refused on the form', async () => {
    const big = Buffer.concat([PNG, Buffer.alloc(MAX_COVER_BYTES)]);
    const res = await postBookForm(admin, '/admin/books', newBook({ title: 'Huge Cover' }), { data: big, filename: 'big.png', type: 'image/png' });
    assert.equal(res.status, 422);
    assert.match(res.text, /at most 2 MB/);
    assert.equal(await Book.count({ where: { title: 'Huge Cover' } }), 0);
  });

  test('every mistake is reported at once, next to its field', async () => {
    const res = await admin.post('/admin/books', {
      title: ' ', AuthorId: '', authorLastName: '', genre: '!!!', pubYear: '20250', price: '12.345', inventory: '-1',
    }).expect(422);
    assert.match(res.text, /Enter the title/);
    assert.match(res.text, /Choose an author, or enter a new author’s last name/);
    assert.match(res.text, /Use some letters or digits/);
    assert.match(res.text, /Enter a year from 1 to/);
    assert.match(res.text, /Enter a price like 12.99/);
    assert.match(res.text, /Enter a whole number of copies/);
    await admin.post('/admin/books', newBook({ title: 'Free', price: '0' })).expect(422);
    await admin.post('/admin/books', newBook({ title: 'Ghost', AuthorId: '99999' })).expect(409);
    await admin.post('/admin/books', newBook({ title: 'Bad id', AuthorId: 'abc' })).expect(422);
  });

  test('the same title by the same author is a conflict; a category typed differently joins the existing one', async () => {
    const existing = await Book.findOne({ where: { title: '28 Summers' } });
    const dup = await admin.post('/admin/books', newBook({ title: '28 Summers', AuthorId: String(existing!.AuthorId) })).expect(409);
    assert.match(dup.text, /already has a book with this title/);
    await admin.post('/admin/books', newBook({ title: 'Spelled Differently', genre: 'nyt  bestsellers' })).expect(303);
    assert.equal((await bookByTitle('Spelled Differently')).genre, 'NYT Bestsellers');
  });

  test('text is escaped wherever it is shown', async () => {
    await admin.post('/admin/books', newBook({ title: '<img src=x onerror=alert(1)>' })).expect(303);
    const list = await admin.agent.get('/admin/books?q=onerror').expect(200);
    assert.doesNotMatch(list.text, /<img src=x/);
    assert.match(list.text, /&lt;img src&#x3D;x onerror&#x3D;alert\(1\)&gt;/);
  });
});

describe('admin books: edit and stock', () => {
  test('an edit shows in the store at once and is audited with what changed', async () => {
    const book = await bookByTitle('The Lighthouse Keeper');
    const form = newBook({ AuthorId: String(book.AuthorId), authorFirstName: '', authorLastName: '', price: '21.00', inventoryWas: '7' });
    await admin.post(`/admin/books/${book.id}`, form).expect(303);
    const page = await request(test_.app).get(`/books/${book.id}`).redirects(1).expect(200);
    assert.match(page.text, /\$21\.00/);
    const entry = await AuditLog.findOne({ where: { entityId: book.id, action: 'book.update' } });
    assert.deepEqual(JSON.parse(entry!.details!).price, { from: '18.50', to: '21.00' });
  });

  test('a sale while the form is open does not block an edit that leaves the stock alone', async () => {
    const book = await bookByTitle('The Lighthouse Keeper');
    const shown = book.inventory;
    await Book.update({ inventory: shown - 1 }, { where: { id: book.id } });
    const form = newBook({ AuthorId: String(book.AuthorId), price: '22.00', inventory: String(shown), inventoryWas: String(shown) });
    await admin.post(`/admin/books/${book.id}`, form).expect(303);
    const saved = await Book.findByPk(book.id);
    assert.equal(saved!.inventory, shown - 1, 'the sale is kept');
    assert.equal(Number(saved!.price), 22);
    await Book.update({ inventory: shown }, { where: { id: book.id } });
  });

  test('an edit without the stock the form showed is refused as out of date', async () => {
    const book = await bookByTitle('The Lighthouse Keeper');
    const res = await admin.post(`/admin/books/${book.id}`, newBook({ AuthorId: String(book.AuthorId), price: '99.00' })).expect(422);
    assert.match(res.text, /reload the page/);
    assert.notEqual(Number((await Book.findByPk(book.id))!.price), 99);
  });

  test('a replaced cover gets a new URL even when nothing else changed', async () => {
    const book = await bookByTitle('The Lighthouse Keeper');
    const before = await admin.agent.get(`/admin/books/${book.id}/edit`).expect(200);
    const versionBefore = /cover\.png\?v&#x3D;(\d+)/.exec(before.text)?.[1];
    assert.ok(versionBefore);
    const current = await Book.findByPk(book.id);
    const fields = {
      title: current!.title, AuthorId: String(current!.AuthorId), genre: current!.genre, pubYear: String(current!.pubYear),
      price: (Math.round(Number(current!.price) * 100) / 100).toFixed(2), inventory: String(current!.inventory),
      inventoryWas: String(current!.inventory), bookDescription: current!.bookDescription ?? '',
    };
    // MySQL keeps DATETIME to the second: wait for the next one so the version can differ.
    await new Promise((r) => setTimeout(r, 1100));
    const other = Buffer.concat([PNG, Buffer.from('second cover')]);
    const res = await postBookForm(admin, `/admin/books/${book.id}`, fields, { data: other, filename: 'again.png', type: 'image/png' });
    assert.equal(res.status, 303, res.text.slice(0, 300));
    const after = await admin.agent.get(`/admin/books/${book.id}/edit`).expect(200);
    const versionAfter = /cover\.png\?v&#x3D;(\d+)/.exec(after.text)?.[1];
    assert.ok(versionAfter && versionAfter !== versionBefore, `version ${versionBefore} → ${versionAfter}`);
  });

  test('a stock number that went stale while the form was open is not saved', async () => {
    const book = await bookByTitle('The Lighthouse Keeper');
    await Book.update({ inventory: 3 }, { where: { id: book.id } });
    const form = newBook({ AuthorId: String(book.AuthorId), price: '21.00', inventory: '10', inventoryWas: '7' });
    const res = await admin.post(`/admin/books/${book.id}`, form).expect(409);
    assert.match(res.text, /stock changed while you were editing: it is now 3/);
    assert.equal((await Book.findByPk(book.id))!.inventory, 3);
  });

  test('stock moves with a reason; the book page and the cart see it at once', async () => {
    const book = await bookByTitle('The Lighthouse Keeper');
    const shopper = new Shopper(test_.app);
    await shopper.add(book.id, 3).expect(303);
    await admin.post(`/admin/books/${book.id}/stock`, { change: '-2', reason: 'Two copies water-damaged' }).expect(303);
    assert.equal((await Book.findByPk(book.id))!.inventory, 1);
    const page = await request(test_.app).get(`/books/${book.id}`).redirects(1).expect(200);
    assert.match(page.text, /data-stock="1"/);
    const cart = await shopper.agent.get('/cart').expect(200);
    assert.match(cart.text, /Only 1 in stock/);

    await admin.post(`/admin/books/${book.id}/stock`, { change: '+12', reason: 'Delivery from the publisher' }).expect(303);
    assert.equal((await Book.findByPk(book.id))!.inventory, 13);
    const entries = await AuditLog.findAll({ where: { entityId: book.id, action: 'book.stock' }, order: [['id', 'ASC']] });
    assert.deepEqual(entries.map((e) => JSON.parse(e.details!)), [
      { from: 3, to: 1, change: -2, reason: 'Two copies water-damaged' },
      { from: 1, to: 13, change: 12, reason: 'Delivery from the publisher' },
    ]);
  });

  test('stock cannot go below zero, and needs a reason and a real number', async () => {
    const book = await bookByTitle('The Lighthouse Keeper');
    const below = await admin.post(`/admin/books/${book.id}/stock`, { change: '-500', reason: 'Stocktake' }).expect(409);
    assert.match(below.text, /only 13 in stock/);
    await admin.post(`/admin/books/${book.id}/stock`, { change: '5', reason: '' }).expect(422);
    await admin.post(`/admin/books/${book.id}/stock`, { change: '0', reason: 'Nothing' }).expect(422);
    await admin.post(`/admin/books/${book.id}/stock`, { change: '1e3', reason: 'Science' }).expect(422);
    assert.equal((await Book.findByPk(book.id))!.inventory, 13);
  });

  test('unknown and malformed book ids are 404', async () => {
    await admin.agent.get('/admin/books/99999/edit').expect(404);
    await admin.agent.get('/admin/books/abc/edit').expect(404);
    await admin.post('/admin/books/99999/stock', { change: '1', reason: 'Ghost copies' }).expect(404);
    await admin.post('/admin/books/99999/delete', {}).expect(404);
  });
});

describe('admin books: remove', () => {
  test('a book nobody ordered is deleted, and leaves the carts it was in', async () => {
    await admin.post('/admin/books', newBook({ title: 'Never Ordered' })).expect(303);
    const book = await bookByTitle('Never Ordered');
    const shopper = new Shopper(test_.app);
    await shopper.add(book.id, 1).expect(303);
    const confirm = await admin.agent.get(`/admin/books/${book.id}/delete`).expect(200);
    assert.match(confirm.text, /Remove “Never Ordered”\?/);
    await admin.post(`/admin/books/${book.id}/delete`, {}).expect(303);
    assert.equal(await Book.count({ where: { id: book.id } }), 0);
    const cart = await shopper.agent.get('/cart').expect(200);
    assert.doesNotMatch(cart.text, new RegExp(`data-book-id="${book.id}"`));
    assert.equal(await AuditLog.count({ where: { entityId: book.id, action: 'book.delete' } }), 1);
  });

  test('a book in past orders is hidden: gone from the store and carts, still on those orders, and can come back', async () => {
    await admin.post('/admin/books', newBook({ title: 'Once Popular', inventory: '5' })).expect(303);
    const book = await bookByTitle('Once Popular');
    const buyer = new Shopper(test_.app);
    await buyer.add(book.id, 1).expect(303);
    const placed = await buyer.checkout().expect(303);
    const waiting = new Shopper(test_.app);
    await waiting.add(book.id, 2).expect(303);

    await admin.post(`/admin/books/${book.id}/delete`, {}).expect(303);
    const hidden = await Book.findByPk(book.id);
    assert.ok(hidden?.removedAt, 'kept, with removedAt set');

    await request(test_.app).get(`/books/${book.id}`).expect(404);
    const search = await request(test_.app).get('/search?q=once+popular').expect(200);
    assert.match(search.text, /No books match/);
    const category = await request(test_.app).get('/category/fantasy').expect(200);
    assert.doesNotMatch(category.text, /Once Popular/);
    await waiting.add(book.id, 1).expect(404);
    const waitingCart = await waiting.agent.get('/cart').expect(200);
    assert.doesNotMatch(waitingCart.text, new RegExp(`data-book-id="${book.id}"`));
    const order = await buyer.agent.get(placed.headers.location).expect(200);
    assert.match(order.text, /Once Popular/);

    const list = await admin.agent.get('/admin/books?status=hidden').expect(200);
    assert.match(list.text, /Once Popular/);
    await admin.post(`/admin/books/${book.id}/restore`, {}).expect(303);
    await request(test_.app).get(`/books/${book.id}`).redirects(1).expect(200);
    assert.deepEqual(
      (await AuditLog.findAll({ where: { entityId: book.id }, order: [['id', 'ASC']] })).map((a) => a.action),
      ['book.create', 'book.hide', 'book.restore'],
    );
  });
});

describe('admin error pages', () => {
  test('lead back to the dashboard rather than the cart', async () => {
    const missing = await admin.agent.get('/admin/books/99999/edit').expect(404);
    assert.match(missing.text, /Back to the dashboard/);
    const broken = await admin.agent.post('/admin/books').set('Content-Type', 'multipart/form-data; boundary=xyz').send('--xyz\r\nnonsense').expect(400);
    assert.match(broken.text, /We could not read that form/);
    assert.match(broken.text, /Back to the dashboard/);
    assert.doesNotMatch(broken.text, /View your cart/);
  });
});

describe('admin books: the author is typed, not picked from every author', () => {
  test('the form lists no authors but the book’s own, and takes a typed name either way round', async () => {
    const blank = await admin.agent.get('/admin/books/new').expect(200);
    assert.doesNotMatch(blank.text, /<select id="AuthorId"/);
    assert.match(blank.text, /<datalist id="author-suggestions"><\/datalist>/, 'a new book suggests nobody yet');

    const summers = await bookByTitle('28 Summers');
    const edit = await admin.agent.get(`/admin/books/${summers.id}/edit`).expect(200);
    assert.match(edit.text, /id="authorName" name="authorName" value="Hilderbrand, Elin"/);
    assert.match(edit.text, /<datalist id="author-suggestions"><option value="Hilderbrand, Elin"><\/option><\/datalist>/);

    for (const [title, typed] of [['Beach Season', 'Hilderbrand, Elin'], ['Island Summer', '  elin   Hilderbrand ']] as const) {
      const fields = newBook({ title, authorName: typed, authorFirstName: '', authorLastName: '' });
      await admin.post('/admin/books', fields).expect(303);
      const created = await bookByTitle(title);
      assert.equal(created.AuthorId, summers.AuthorId, `“${typed}” is Elin Hilderbrand`);
    }
  });

  test('a name we do not have comes back with a few suggestions and changes nothing', async () => {
    const before = await Book.count();
    const res = await admin.post('/admin/books', newBook({ title: 'Nobody’s Book', authorName: 'Hilder', authorFirstName: '', authorLastName: '' })).expect(422);
    assert.match(res.text, /We have no author named “Hilder”\. Pick one of the suggestions/);
    assert.match(res.text, /<option value="Hilderbrand, Elin"><\/option>/);
    assert.match(res.text, /id="authorName" name="authorName" value="Hilder"/, 'what was typed is kept');
    const none = await admin.post('/admin/books', newBook({ title: 'Nobody’s Book', authorName: 'Zzyzx, Q', authorFirstName: '', authorLastName: '' })).expect(422);
    assert.match(none.text, /Check the spelling/);
    const tooLong = await admin.post('/admin/books', newBook({ title: 'Nobody’s Book', authorName: 'x'.repeat(211) })).expect(422);
    assert.match(tooLong.text, /Use at most 210 characters/);
    assert.equal(await Book.count(), before);
  });
});
