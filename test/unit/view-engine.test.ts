import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import Handlebars from 'handlebars';
import request from 'supertest';
import { ViewEngine, type ViewEngineOptions } from '../../lib/view-engine';
import { viewHelpers } from '../../lib/view-helpers';
import { errorHandler } from '../../middleware/errors';
import { createLogger } from '../../logger';

const folders: string[] = [];
after(() => {
  for (const folder of folders) fs.rmSync(folder, { recursive: true, force: true });
});

/** A views folder with these files (paths relative to it), written for one test. */
function viewsWith(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'epicbook-views-'));
  folders.push(dir);
  for (const [name, text] of Object.entries(files)) write(dir, name, text);
  return dir;
}

function write(dir: string, name: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
  fs.writeFileSync(path.join(dir, name), text);
}

const BASIC = {
  'layouts/main.hbs': '<main title="{{title}}">{{{body}}}</main>\n',
  'layouts/plain.hbs': '<plain>{{{body}}}</plain>',
  'home.hbs': '  <h1>{{title}}</h1>\n',
};

function engine(dir: string, options: Partial<ViewEngineOptions> = {}): ViewEngine {
  return new ViewEngine({ viewsDir: dir, helpers: viewHelpers, cache: true, ...options });
}

/** An Express app on the engine, as app.ts sets it up, with the app's own error handler. */
function appOn(dir: string, cache = true) {
  const views = engine(dir, { cache });
  const app = express();
  app.engine('hbs', views.engine);
  app.set('view engine', 'hbs');
  app.set('views', dir);
  if (cache) app.enable('view cache');
  return app;
}

function finish(app: express.Express): express.Express {
  app.use(errorHandler(createLogger({ logLevel: 'silent' })));
  return app;
}

describe('the view engine', () => {
  test('wraps a view in the default layout, another layout, or none; source and output are trimmed', () => {
    const dir = viewsWith(BASIC);
    const views = engine(dir);
    const file = path.join(dir, 'home.hbs');
    assert.equal(views.render(file, { title: 'Hi' }), '<main title="Hi"><h1>Hi</h1></main>');
    assert.equal(views.render(file, { title: 'Hi', layout: 'plain' }), '<plain><h1>Hi</h1></plain>');
    assert.equal(views.render(file, { title: 'Hi', layout: 'plain.hbs' }), '<plain><h1>Hi</h1></plain>');
    assert.equal(views.render(file, { title: 'Hi', layout: false }), '<h1>Hi</h1>');
    assert.equal(engine(dir, { defaultLayout: 'plain' }).render(file, { title: 'Hi' }), '<plain><h1>Hi</h1></plain>');
  });

  test('res.render goes through it with Express\'s locals, and the engine callback answers at once', async () => {
    const dir = viewsWith(BASIC);
    const app = appOn(dir);
    app.locals.title = 'From the app';
    app.get('/', (_req, res) => res.render('home'));
    app.get('/bare', (_req, res) => res.render('home', { title: 'Bare', layout: false }));
    assert.equal((await request(app).get('/').expect(200)).text, '<main title="From the app"><h1>From the app</h1></main>');
    assert.equal((await request(app).get('/bare').expect(200)).text, '<h1>Bare</h1>');

    const calls: Array<[Error | null, string | undefined]> = [];
    engine(dir).engine(path.join(dir, 'home.hbs'), { title: 'x', layout: false }, (error, html) => calls.push([error, html]));
    assert.deepEqual(calls, [[null, '<h1>x</h1>']], 'called once, before engine() returned');
  });

  test('finds partials by their path in the partials folder, nested ones included, and partials within partials', () => {
    const dir = viewsWith({
      ...BASIC,
      'partials/price-tag.hbs': '<b>{{price cents}}</b>',
      'partials/cart/line.hbs': '<li>{{title}} {{> price-tag}}</li>',
      'partials/cart/deep/note.hbs': '<i>{{text}}</i>',
      'cart.hbs': '<ul>{{#each lines}}{{> cart/line}}{{/each}}</ul>{{> cart/deep/note text="Ships soon"}}',
    });
    const views = engine(dir);
    const html = views.render(path.join(dir, 'cart.hbs'), { layout: false, lines: [{ title: 'Dune', cents: 1299 }, { title: 'Emma', cents: 500 }] });
    assert.equal(html, '<ul><li>Dune <b>$12.99</b></li><li>Emma <b>$5.00</b></li></ul><i>Ships soon</i>');
    assert.ok(views.hasPartial('cart/line') && views.hasPartial('cart/deep/note'));
    assert.ok(!views.hasPartial('line') && !views.hasPartial('cart'));
  });

  test('a layout uses partials too, and partials given to one render replace the folder\'s in view and layout alike', () => {
    const dir = viewsWith({
      'layouts/main.hbs': '{{> badge}}|{{{body}}}',
      'partials/badge.hbs': '[{{count}}]',
      'page.hbs': '{{> badge}}',
    });
    const views = engine(dir);
    const file = path.join(dir, 'page.hbs');
    assert.equal(views.render(file, { count: 3 }), '[3]|[3]');
    assert.equal(views.render(file, { count: 3, partials: { badge: () => '<slot>' } }), '<slot>|<slot>');
    assert.equal(views.render(file, { count: 4 }), '[4]|[4]', 'the replacement was for that render only');
  });

  test('escapes HTML by default and leaves triple-stash output alone; helpers\' text is escaped too', () => {
    const dir = viewsWith({
      'x.hbs': '<p title="{{text}}">{{text}}</p>{{{html}}}{{plural n "<one>" "<many>"}}',
    });
    const html = engine(dir).render(path.join(dir, 'x.hbs'), { layout: false, text: '"><script>alert(1)</script>', html: '<em>ok</em>', n: 2 });
    assert.equal(html, '<p title="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;</p><em>ok</em>&lt;many&gt;');
  });

  test('applies Handlebars\' whitespace rules (~ and standalone block lines) exactly as Handlebars.compile does', () => {
    const source = '<ul>\n  {{#each items}}\n  <li>  {{~name~}}  </li>\n  {{/each}}\n</ul>\n{{#if note}}\n  {{note}}\n{{/if}}';
    const dir = viewsWith({ 'list.hbs': source });
    const context = { items: [{ name: 'a' }, { name: 'b' }], note: 'n' };
    const html = engine(dir).render(path.join(dir, 'list.hbs'), { ...context, layout: false });
    assert.equal(html, Handlebars.compile(source)(context).trim());
    assert.equal(html, '<ul>\n  <li>a</li>\n  <li>b</li>\n</ul>\n  n');
  });

  test('keeps Handlebars\' @data: @root in partials and loops, @index, and data given to the render', () => {
    const dir = viewsWith({
      'partials/row.hbs': '{{@index}}:{{name}}@{{@root.shop}};',
      'list.hbs': '{{#each items}}{{> row}}{{/each}}{{@greeting}}',
      'layouts/main.hbs': '{{@root.shop}}/{{{body}}}',
    });
    const html = engine(dir).render(path.join(dir, 'list.hbs'), { shop: 'Epic', items: [{ name: 'a' }, { name: 'b' }], data: { greeting: 'hello' } });
    assert.equal(html, 'Epic/0:a@Epic;1:b@Epic;hello');
  });

  test('helpers given to one render are added to the engine\'s for that render', () => {
    const dir = viewsWith({ 'x.hbs': '{{shout word}} {{price 250}}' });
    const views = engine(dir);
    const file = path.join(dir, 'x.hbs');
    assert.equal(views.render(file, { layout: false, word: 'hi', helpers: { shout: (s: string) => s.toUpperCase() } }), 'HI $2.50');
    assert.throws(() => views.render(file, { layout: false, word: 'hi' }), /shout/);
  });

  test('renders one partial on its own with the engine\'s helpers and partials (the page cache\'s fragments)', () => {
    const dir = viewsWith({
      'partials/inner.hbs': '<i>{{price cents}}</i>',
      'partials/outer.hbs': '<b>{{> inner}}</b>',
    });
    const views = engine(dir);
    assert.equal(views.renderPartial('outer', { cents: 100 }), '<b><i>$1.00</i></b>');
    assert.throws(() => views.renderPartial('nope', {}), /partial nope could not be found/);
    assert.throws(() => views.renderPartial('toString', {}), /partial toString could not be found/, 'only the folder\'s own names');
  });
});

describe('the view engine when something is missing or broken', () => {
  test('a missing partial or layout is an error that names it', () => {
    const dir = viewsWith({ ...BASIC, 'broken.hbs': 'before {{> missing-part}} after' });
    const views = engine(dir);
    assert.throws(() => views.render(path.join(dir, 'broken.hbs'), { layout: false }), /The partial missing-part could not be found/);
    assert.throws(() => views.render(path.join(dir, 'home.hbs'), { layout: 'gone' }), (error: Error) => {
      assert.match(error.message, /The layout "gone" does not exist: .*layouts[/\\]gone\.hbs$/);
      return true;
    });
  });

  test('the engine callback gets the error (once) instead of a throw', () => {
    const dir = viewsWith({ 'broken.hbs': '{{> missing-part}}' });
    const calls: unknown[][] = [];
    engine(dir).engine(path.join(dir, 'broken.hbs'), { layout: false }, (...args) => calls.push(args));
    assert.equal(calls.length, 1);
    assert.match(String(calls[0][0]), /missing-part/);
    assert.equal(calls[0][1], undefined);
  });

  test('a missing view, partial or layout answers the 500 page through the error handler; the app carries on', async () => {
    const dir = viewsWith({
      ...BASIC,
      'errors/500.hbs': '<p class="error">{{message}}</p>',
      'broken.hbs': '{{> missing-part}}',
    });
    const app = appOn(dir);
    app.get('/no-view', (_req, res) => res.render('not-there'));
    app.get('/no-partial', (_req, res) => res.render('broken'));
    app.get('/no-layout', (_req, res) => res.render('home', { layout: 'gone' }));
    app.get('/fine', (_req, res) => res.render('home', { title: 'Still here' }));
    finish(app);
    for (const url of ['/no-view', '/no-partial', '/no-layout']) {
      const res = await request(app).get(url).set('Accept', 'text/html').expect(500);
      assert.match(res.text, /^<main title="Something went wrong"><p class="error">Something went wrong on our side\./, url);
      assert.doesNotMatch(res.text, /missing-part|not-there|gone/, `${url}: no internals on the page`);
    }
    assert.equal((await request(app).get('/fine').expect(200)).text, '<main title="Still here"><h1>Still here</h1></main>');
  });

  test('when the error page itself cannot render, the message goes out as plain text', async () => {
    const dir = viewsWith({ 'layouts/main.hbs': '{{{body}}}', 'broken.hbs': '{{> missing-part}}' });
    const app = appOn(dir);
    app.get('/', (_req, res) => res.render('broken'));
    finish(app);
    const res = await request(app).get('/').set('Accept', 'text/html').expect(500);
    assert.match(res.headers['content-type'], /^text\/plain/);
    assert.match(res.text, /^Something went wrong on our side\./);
  });

  test('with the cache on, a template with a syntax error stops the start, naming its file', () => {
    const dir = viewsWith({ ...BASIC, 'partials/bad.hbs': '{{#if open}}never closed' });
    assert.throws(() => engine(dir), /partials[/\\]bad\.hbs: Parse error/);
  });

  test('in development a syntax error fails only the render that reads it, naming its file', () => {
    const dir = viewsWith({ ...BASIC, 'bad.hbs': '{{#each}}' });
    const views = engine(dir, { cache: false });
    assert.equal(views.render(path.join(dir, 'home.hbs'), { title: 'ok', layout: false }), '<h1>ok</h1>');
    assert.throws(() => views.render(path.join(dir, 'bad.hbs'), {}), /bad\.hbs: Parse error/);
  });
});

describe('the view engine\'s cache', () => {
  test('in development every render reads views, layouts and partials again, so an edit shows at once', () => {
    const dir = viewsWith({ ...BASIC, 'partials/tag.hbs': 'old tag', 'tagged.hbs': '{{> tag}}' });
    const views = engine(dir, { cache: false });
    const file = path.join(dir, 'tagged.hbs');
    assert.equal(views.render(file, { title: 't' }), '<main title="t">old tag</main>');
    write(dir, 'partials/tag.hbs', 'new tag');
    write(dir, 'layouts/main.hbs', '<new>{{{body}}}</new>');
    assert.equal(views.render(file, { title: 't' }), '<new>new tag</new>');
    write(dir, 'tagged.hbs', '{{> tag}} and {{> added/one}}');
    write(dir, 'partials/added/one.hbs', 'a new partial');
    assert.equal(views.render(file, { title: 't' }), '<new>new tag and a new partial</new>');
    assert.ok(views.hasPartial('added/one'));
    assert.equal(views.renderPartial('tag', {}), 'new tag');
  });

  test('in development an edited view shows at the next reload through Express too', async () => {
    const dir = viewsWith(BASIC);
    const app = appOn(dir, false);
    app.get('/', (_req, res) => res.render('home', { title: 'One' }));
    assert.equal((await request(app).get('/').expect(200)).text, '<main title="One"><h1>One</h1></main>');
    write(dir, 'home.hbs', '<h2>{{title}}</h2>');
    assert.equal((await request(app).get('/').expect(200)).text, '<main title="One"><h2>One</h2></main>');
  });

  test('with the cache on every template is read once, at start, and never again', (t) => {
    const dir = viewsWith({ ...BASIC, 'partials/tag.hbs': 'tag', 'partials/nested/x.hbs': 'x', 'tagged.hbs': '{{> tag}}{{> nested/x}}' });
    const reads = t.mock.method(fs, 'readFileSync');
    const views = engine(dir);
    const atStart = reads.mock.calls.map((call) => path.relative(dir, String(call.arguments[0]))).sort();
    assert.deepEqual(atStart, ['home.hbs', 'layouts/main.hbs', 'layouts/plain.hbs', 'partials/nested/x.hbs', 'partials/tag.hbs', 'tagged.hbs']);

    write(dir, 'partials/tag.hbs', 'edited');
    write(dir, 'layouts/main.hbs', 'edited');
    const file = path.join(dir, 'tagged.hbs');
    for (let i = 0; i < 3; i += 1) {
      assert.equal(views.render(file, { title: 't' }), '<main title="t">tagx</main>');
      assert.equal(views.renderPartial('tag', {}), 'tag');
    }
    assert.equal(reads.mock.callCount(), atStart.length, 'no file read after the start');
  });
});

