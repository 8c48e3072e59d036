import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { create } from 'express-handlebars';
import { projectRoot } from '../../config';
import { createViews, type EngineCallback } from '../../lib/view-engine';
import { viewHelpers } from '../../lib/view-helpers';
import { Book } from '../../models';
import { Shopper, signedInAdmin, startTestApp, type TestApp } from '../helpers';

// The production render (compiled at start, called synchronously) against express-handlebars' own
// render, on the real views with the locals real requests give them.

let t: TestApp;
before(async () => {
  t = await startTestApp();
});
after(() => t.close());

interface Rendered {
  view: string;
  locals: object;
  html: string;
  /** Whether the engine answered before returning: our compiled path; express-handlebars' is always later. */
  sync: boolean;
}

describe('the real views', () => {
  test('a production render is byte for byte express-handlebars\' own render of the same view and locals', async () => {
    const viewsDir = path.join(projectRoot, 'views');
    const views = createViews({ viewsDir, helpers: viewHelpers, cache: true });
    await views.ready();
    const rendered: Rendered[] = [];
    // The app's engine, in front of a second set of views whose start has surely finished.
    t.app.engine('hbs', (file: string, locals: object, callback: EngineCallback) => {
      let returned = false;
      views.engine(file, locals, (error, html) => {
        if (!error) rendered.push({ view: path.relative(viewsDir, file), locals, html: html!, sync: !returned });
        callback(error, html);
      });
      returned = true;
    });

    const book = await Book.findOne({ order: [['id', 'ASC']] });
    assert.ok(book);
    const shopper = new Shopper(t.app);
    for (const url of ['/', `/books/${book.id}`, '/category/classics', '/search?q=the', '/books', '/login', '/register', '/no-such-page']) {
      await shopper.agent.get(url).redirects(1);
    }
    await shopper.add(book.id, 2).expect(303);
    await shopper.agent.get('/cart').expect(200);
    await shopper.agent.get('/checkout').expect(200);
    const admin = await signedInAdmin(t);
    await admin.agent.get('/admin').expect(200);
    // A guest's cart page is answered before the chain, from these templates but not through the
    // engine (test/integration/cart-page.test.ts compares it with the chain's); a signed-in
    // shopper's goes through it.
    await admin.add(book.id, 1).expect(303);
    await admin.agent.get('/cart').expect(200);

    const seen = new Set(rendered.map((r) => r.view));
    for (const view of ['home.hbs', 'book.hbs', 'category.hbs', 'search.hbs', 'books.hbs', 'login.hbs', 'register.hbs', 'errors/404.hbs', 'cart.hbs', 'checkout.hbs', 'admin/dashboard.hbs']) {
      assert.ok(seen.has(view), `${view} rendered (saw ${[...seen].join(', ')})`);
    }

    const library = create({ extname: '.hbs', defaultLayout: 'main', layoutsDir: path.join(viewsDir, 'layouts'), partialsDir: path.join(viewsDir, 'partials'), helpers: viewHelpers });
    for (const { view, locals, html, sync } of rendered) {
      assert.ok(sync, `${view}: rendered by the compiled path`);
      const theirs = await new Promise<string>((resolve, reject) => {
        void library.engine(path.join(viewsDir, view), locals, (error, out) => (error ? reject(error) : resolve(out!)));
      });
      assert.ok(html.length > 500, `${view}: a whole page`);
      assert.equal(html, theirs, `${view}: the same bytes`);
    }
  });
});
