import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { Book, Cart, Cartbook } from '../../models';
import { MAX_CART_LINES, createCartService } from '../../services/cart';
import { setStatementHook } from '../../db/sql';
import { Shopper, badgeCount, csrfFrom, startTestApp, type TestApp } from '../helpers';

let t: TestApp;
let gatsby: number;
let catcher: number; // 2 in stock
before(async () => {
  t = await startTestApp();
  gatsby = (await Book.findOne({ where: { title: 'The Great Gatsby' } }))!.id;
  catcher = (await Book.findOne({ where: { title: 'The Catcher in the Rye' } }))!.id;
});
after(() => t.close());

async function lineCount(): Promise<number> {
  return Cartbook.count();
}

describe('adding to the cart', () => {
  test('redirects back with 303, creates the session, and the badge counts the copies', async () => {
    const shopper = new Shopper(t.app);
    const res = await shopper.add(gatsby, 2, { returnTo: '/category/classics' }).expect(303);
    assert.equal(res.headers.location, '/category/classics');
    const page = await shopper.agent.get('/category/classics').expect(200);
    assert.equal(badgeCount(page.text), 2);
    assert.match(page.text, /Added 2 copies of “The Great Gatsby” to your cart/);
    const cart = await shopper.agent.get('/cart').expect(200);
    assert.match(cart.text, /The Great Gatsby/);
    assert.match(cart.text, /\$34\.00/, 'line total 2 × $17.00');
    assert.equal(badgeCount(cart.text), 2);
  });

  test('without a quantity adds one copy; adding again increases the line', async () => {
    const shopper = new Shopper(t.app);
    await shopper.add(gatsby).expect(303);
    await shopper.add(gatsby).expect(303);
    const cart = await shopper.agent.get('/cart').expect(200);
    assert.equal(badgeCount(cart.text), 2);
    assert.match(cart.text, /id="qty-\d+" type="number" name="quantity" value="2"/);
  });

  test('a redirect target off this site is ignored', async () => {
    const shopper = new Shopper(t.app);
    for (const target of ['https://evil.example/', '//evil.example', '/\\evil.example']) {
      const res = await shopper.add(gatsby, 1, { returnTo: target }).expect(303);
      assert.equal(res.headers.location, '/cart', target);
    }
  });

  test('answers JSON for the page script', async () => {
    const shopper = new Shopper(t.app);
    const token = await shopper.csrf();
    const res = await shopper.agent
      .post('/cart/items')
      .set('Accept', 'application/json')
      .type('form')
      .send({ _csrf: token, bookId: String(gatsby), quantity: '3' })
      .expect(200);
    assert.equal(res.body.cartCount, 3);
    assert.match(res.body.message, /The Great Gatsby/);
  });

  test('refuses bad input with the right status, a page that says why, and no change', async () => {
    const shopper = new Shopper(t.app);
    const before = await lineCount();
    const cases: Array<[string | undefined, string | undefined, number, RegExp]> = [
      ['abc', '1', 400, /not a valid book/],
      ['', '1', 400, /not a valid book/],
      [undefined, '1', 400, /not a valid book/],
      ['-4', '1', 400, /not a valid book/],
      ['99999', '1', 404, /could not find that book/],
      [String(gatsby), '0', 422, /at least 1/],
      [String(gatsby), '-2', 422, /whole number/],
      [String(gatsby), '1.5', 422, /whole number/],
      [String(gatsby), '1e1', 422, /whole number/],
      [String(gatsby), 'lots', 422, /whole number/],
      [String(gatsby), '100', 422, /at most 99/],
      [String(gatsby), '99999999999999999999', 422, /whole number/],
      [String(catcher), '3', 409, /only 2 copies/],
    ];
    for (const [bookId, quantity, status, message] of cases) {
      const res = await shopper.post('/cart/items', { bookId, quantity });
      assert.equal(res.status, status, `bookId=${bookId} quantity=${quantity}`);
      assert.match(res.text, message, `bookId=${bookId} quantity=${quantity}`);
      assert.equal(res.headers.location, undefined);
    }
    assert.equal(await lineCount(), before, 'no cart line was written');
  });

  test('a refused add by a new visitor leaves no session behind', async () => {
    const sessions = async () => Number(((await t.db.sequelize.query('SELECT COUNT(*) AS n FROM Sessions'))[0] as Array<{ n: number }>)[0].n);
    const before = await sessions();
    const shopper = new Shopper(t.app);
    const missing = await shopper.add(99999, 1).expect(404);
    const tooMany = await shopper.add(catcher, 50).expect(409);
    for (const res of [missing, tooMany]) {
      assert.ok(!([] as string[]).concat(res.headers['set-cookie'] ?? []).some((c) => c.startsWith('epicbook.sid=')));
    }
    assert.equal(await sessions(), before);
  });

  test('stock counts what is already in the cart', async () => {
    const shopper = new Shopper(t.app);
    await shopper.add(catcher, 2).expect(303);
    const res = await shopper.add(catcher, 1).expect(409);
    assert.match(res.text, /only 2 copies/);
    const cart = await shopper.agent.get('/cart').expect(200);
    assert.equal(badgeCount(cart.text), 2);
  });

  test('a sold-out book cannot be added', async () => {
    const maus = (await Book.findOne({ where: { title: 'Maus' } }))!;
    await maus.update({ inventory: 0 });
    const res = await new Shopper(t.app).add(maus.id).expect(409);
    assert.match(res.text, /out of stock/);
    await maus.update({ inventory: 8 });
  });
});

describe('changing the cart', () => {
  test('updates a quantity and removes a line', async () => {
    const shopper = new Shopper(t.app);
    await shopper.add(gatsby, 1).expect(303);
    await shopper.add(catcher, 1).expect(303);
    const updated = await shopper.post(`/cart/items/${gatsby}`, { quantity: '3' }).expect(303);
    assert.equal(updated.headers.location, '/cart');
    let cart = await shopper.agent.get('/cart').expect(200);
    assert.equal(badgeCount(cart.text), 4);
    assert.match(cart.text, /Subtotal \(4 items\)[\s\S]*\$60\.99/, '3 × $17.00 + $9.99');

    await shopper.post(`/cart/items/${catcher}/delete`, {}).expect(303);
    cart = await shopper.agent.get('/cart').expect(200);
    assert.equal(badgeCount(cart.text), 3);
    assert.doesNotMatch(cart.text, /The Catcher in the Rye/);
  });

  test('refuses bad updates without changing anything', async () => {
    const shopper = new Shopper(t.app);
    await shopper.add(catcher, 1).expect(303);
    await shopper.post(`/cart/items/${catcher}`, { quantity: '5' }).expect(409);
    await shopper.post(`/cart/items/${catcher}`, { quantity: '0' }).expect(422);
    await shopper.post(`/cart/items/${catcher}`, {}).expect(422);
    await shopper.post(`/cart/items/${gatsby}`, { quantity: '1' }).expect(404);
    await shopper.post('/cart/items/xyz', { quantity: '1' }).expect(400);
    await shopper.post(`/cart/items/${gatsby}/delete`, {}).expect(404);
    const cart = await shopper.agent.get('/cart').expect(200);
    assert.equal(badgeCount(cart.text), 1);
  });

  test('a visitor without a cart cannot change or remove lines', async () => {
    const shopper = new Shopper(t.app);
    await shopper.post(`/cart/items/${gatsby}`, { quantity: '1' }).expect(404);
    await shopper.post(`/cart/items/${gatsby}/delete`, {}).expect(404);
  });

  test('the stored cart totals follow today\'s prices, like the cart page', async () => {
    const shopper = new Shopper(t.app);
    const dune = (await Book.findOne({ where: { title: 'Dune' } }))!;
    const hobbit = (await Book.findOne({ where: { title: 'The Hobbit' } }))!;
    await shopper.add(dune.id, 1).expect(303);
    await dune.update({ price: '40.00' });
    await shopper.add(hobbit.id, 2).expect(303);
    const cart = (await Cart.findOne({ include: [{ model: Cartbook, where: { BookId: hobbit.id } }], order: [['id', 'DESC']] }))!;
    assert.equal(cart.totalQuantity, 3);
    assert.equal(Number(cart.totalPrice).toFixed(2), '111.92', '$40.00 + 2 × $35.96');
    const page = await shopper.agent.get('/cart').expect(200);
    assert.match(page.text, /data-subtotal>\$111\.92</);
    await dune.update({ price: '49.95' });
  });

  test('a line whose stock dropped is flagged on the cart page', async () => {
    const shopper = new Shopper(t.app);
    const book = (await Book.findOne({ where: { title: 'Dune' } }))!;
    await shopper.add(book.id, 5).expect(303);
    await book.update({ inventory: 2 });
    const cart = await shopper.agent.get('/cart').expect(200);
    assert.match(cart.text, /Only 2 in stock/);
    assert.match(cart.text, /fewer copies in stock/);
    await book.update({ inventory: 8 });
  });
});

describe('one visitor\'s changes at once', () => {
  test('adds racing for the last copies never put more in the line than the stock, and the totals follow', async () => {
    const dune = (await Book.findOne({ where: { title: 'Dune' } }))!;
    const hobbit = (await Book.findOne({ where: { title: 'The Hobbit' } }))!;
    await Book.update({ inventory: 3 }, { where: { id: hobbit.id } });
    try {
      const shopper = new Shopper(t.app);
      await shopper.add(dune.id, 1).expect(303);
      const token = await shopper.csrf();
      const results = await Promise.all(Array.from({ length: 6 }, () => (
        shopper.agent.post('/cart/items').set('Accept', 'application/json').set('X-CSRF-Token', token).type('form').send(`bookId=${hobbit.id}`)
      )));
      assert.deepEqual(results.map((r) => r.status).sort(), [200, 200, 200, 409, 409, 409]);
      for (const r of results.filter((r) => r.status === 409)) assert.equal(r.body.error.code, 'out_of_stock');
      const cart = (await Cart.findOne({ include: [{ model: Cartbook, where: { BookId: dune.id } }], order: [['id', 'DESC']] }))!;
      const lines = await Cartbook.findAll({ where: { CartId: cart.id }, order: [['BookId', 'ASC']] });
      assert.deepEqual(lines.map((l) => [l.BookId, l.quantity]).sort(), [[dune.id, 1], [hobbit.id, 3]].sort());
      assert.equal(cart.totalQuantity, 4);
      assert.equal(Number(cart.totalPrice).toFixed(2), '157.83', '$49.95 + 3 × $35.96');
      assert.equal(badgeCount((await shopper.agent.get('/cart').expect(200)).text), 4);
    } finally {
      await Book.update({ inventory: hobbit.inventory }, { where: { id: hobbit.id } });
    }
  });

  test('a quantity change and a removal of the same line at once leave the totals equal to the lines', async () => {
    const gatsbyBook = (await Book.findByPk(gatsby))!;
    const shopper = new Shopper(t.app);
    await shopper.add(gatsby, 2).expect(303);
    await shopper.add(catcher, 1).expect(303);
    const token = await shopper.csrf();
    const send = (path: string, body: string) => shopper.agent.post(path).set('Accept', 'application/json').set('X-CSRF-Token', token).type('form').send(body);
    await Promise.all([send(`/cart/items/${gatsby}`, 'quantity=5'), send(`/cart/items/${gatsby}/delete`, ''), send(`/cart/items/${gatsby}`, 'quantity=4')]);
    const cart = (await Cart.findOne({ include: [{ model: Cartbook, where: { BookId: catcher } }], order: [['id', 'DESC']] }))!;
    const lines = await Cartbook.findAll({ where: { CartId: cart.id } });
    const books = new Map([[gatsby, gatsbyBook], [catcher, (await Book.findByPk(catcher))!]]);
    assert.equal(cart.totalQuantity, lines.reduce((n, l) => n + l.quantity, 0));
    const cents = lines.reduce((n, l) => n + l.quantity * Math.round(Number(books.get(l.BookId)!.price) * 100), 0);
    assert.equal(Math.round(Number(cart.totalPrice) * 100), cents);
  });
});

describe('carts belong to their visitor', () => {
  test('two visitors never see each other\'s cart', async () => {
    const alice = new Shopper(t.app);
    const bob = new Shopper(t.app);
    await alice.add(gatsby, 1).expect(303);
    await bob.add(catcher, 1).expect(303);
    const aliceCart = await alice.agent.get('/cart').expect(200);
    const bobCart = await bob.agent.get('/cart').expect(200);
    assert.match(aliceCart.text, /The Great Gatsby/);
    assert.doesNotMatch(aliceCart.text, /The Catcher in the Rye/);
    assert.match(bobCart.text, /The Catcher in the Rye/);
    assert.doesNotMatch(bobCart.text, /The Great Gatsby/);
    const stranger = await request(t.app).get('/cart').expect(200);
    assert.match(stranger.text, /Your cart is empty/);
    // Bob cannot touch Alice's line by naming its book.
    await bob.post(`/cart/items/${gatsby}/delete`, {}).expect(404);
    assert.match((await alice.agent.get('/cart')).text, /The Great Gatsby/);
  });

  test('each visitor has one cart row, created on the first add', async () => {
    const before = await Cart.count();
    const shopper = new Shopper(t.app);
    await shopper.agent.get('/').expect(200);
    assert.equal(await Cart.count(), before);
    await shopper.add(gatsby).expect(303);
    await shopper.add(catcher).expect(303);
    assert.equal(await Cart.count(), before + 1);
  });
});

describe('CSRF', () => {
  test('every POST form carries a token', async () => {
    const shopper = new Shopper(t.app);
    await shopper.add(gatsby).expect(303);
    for (const path of ['/', '/books', `/cart`, '/checkout']) {
      const html = (await shopper.agent.get(path).expect(200)).text;
      const forms = html.match(/<form[^>]*method="post"[\s\S]*?<\/form>/g) ?? [];
      assert.ok(forms.length > 0, `${path} has POST forms`);
      for (const form of forms) assert.match(form, /name="_csrf" value="[^"]+"/, `${path}: ${form.slice(0, 80)}`);
    }
  });

  test('a POST without a valid token is refused with 403 and changes nothing', async () => {
    const shopper = new Shopper(t.app);
    const token = await shopper.csrf();
    const before = await lineCount();
    await shopper.agent.post('/cart/items').type('form').send({ bookId: String(gatsby) }).expect(403);
    await shopper.agent.post('/cart/items').type('form').send({ _csrf: 'forged', bookId: String(gatsby) }).expect(403);
    // A token without its cookie (another browser) is refused too.
    const res = await request(t.app).post('/cart/items').type('form').send({ _csrf: token, bookId: String(gatsby) }).expect(403);
    assert.match(res.text, /form has expired/);
    await request(t.app).post('/checkout').type('form').send({ fullName: 'x' }).expect(403);
    assert.equal(await lineCount(), before);
  });

  test('the token also works from the X-CSRF-Token header', async () => {
    const shopper = new Shopper(t.app);
    const token = csrfFrom((await shopper.agent.get('/').expect(200)).text);
    await shopper.agent.post('/cart/items').set('X-CSRF-Token', token).type('form').send({ bookId: String(gatsby) }).expect(303);
  });
});

describe('request limits', () => {
  test('oversized and malformed bodies get a clear 4xx', async () => {
    const shopper = new Shopper(t.app);
    const token = await shopper.csrf();
    await shopper.agent.post('/cart/items').type('form').send(`_csrf=${token}&bookId=1&pad=${'x'.repeat(40_000)}`).expect(413);
    await shopper.agent.post('/cart/items').set('X-CSRF-Token', token).type('json').send('{"bookId": ').expect(400);
  });

  test('shoppers are not throttled: fifty quick cart changes all succeed', async () => {
    const shopper = new Shopper(t.app);
    await shopper.add(gatsby, 1).expect(303);
    for (let i = 0; i < 50; i += 1) await shopper.post(`/cart/items/${gatsby}`, { quantity: String((i % 3) + 1) }).expect(303);
  });
});

describe('the number of different books in one cart', () => {
  test(`is at most ${MAX_CART_LINES}: the next new book is refused with a clear message, more copies of one in it are not`, async () => {
    const books = await Book.findAll({ where: { removedAt: null }, order: [['id', 'ASC']], limit: MAX_CART_LINES + 1 });
    assert.equal(books.length, MAX_CART_LINES + 1, 'the bundled catalog has enough books');
    const stock = new Map(books.map((b) => [b.id, b.inventory]));
    await Book.update({ inventory: 20 }, { where: { id: [...stock.keys()] } });
    try {
      const shopper = new Shopper(t.app);
      for (const book of books.slice(0, MAX_CART_LINES)) await shopper.add(book.id).expect(303);
      const refused = await shopper.add(books[MAX_CART_LINES].id).expect(409);
      assert.match(refused.text, new RegExp(`already holds ${MAX_CART_LINES} different books`));
      const json = await shopper.agent.post('/cart/items').set('Accept', 'application/json').set('X-CSRF-Token', await shopper.csrf())
        .type('form').send(`bookId=${books[MAX_CART_LINES].id}`).expect(409);
      assert.equal(json.body.error.code, 'cart_full');
      await shopper.add(books[0].id, 2).expect(303);
      const cart = await shopper.agent.get('/cart').expect(200);
      assert.equal(badgeCount(cart.text), MAX_CART_LINES + 2);
    } finally {
      for (const [id, inventory] of stock) await Book.update({ inventory }, { where: { id } });
    }
  });
});

describe('the cart badge', () => {
  test('counts each owner\'s newest open cart, for owners asked for together in one statement', async () => {
    const cart = createCartService(t.db);
    const now = new Date();
    const carts: Array<[string, string, number]> = [
      ['badge-a', 'open', 3],
      ['badge-b', 'ordered', 5],
      ['badge-b', 'open', 2],
      ['badge-c', 'open', 4],
      ['badge-c', 'open', 6], // newer: this one counts
      ['badge-d', 'ordered', 1],
    ];
    for (const [ownerKey, status, totalQuantity] of carts) {
      await t.db.sql().run('INSERT INTO Carts (ownerKey, status, totalQuantity, totalPrice, createdAt, updatedAt) VALUES (?, ?, ?, 0, ?, ?)', [ownerKey, status, totalQuantity, now, now]);
    }
    const statements: string[] = [];
    setStatementHook((text) => {
      if (/FROM Carts/.test(text)) statements.push(text);
    });
    try {
      const counts = await Promise.all(['badge-a', 'badge-b', 'badge-c', 'badge-d', 'badge-none', 'badge-a'].map((key) => cart.cartCount(key)));
      assert.deepEqual(counts, [3, 2, 6, 0, 0, 3]);
      assert.equal(statements.length, 2, 'the first on its own, the rest together');
      assert.equal(await cart.cartCount(undefined), 0);
      assert.equal(statements.length, 2, 'no owner, no read');
    } finally {
      setStatementHook(null);
    }
  });
});
