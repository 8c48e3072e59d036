import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { create } from 'express-handlebars';
import request from 'supertest';
import { createViews, type Views } from '../../lib/view-engine';
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

/** An Express app on the views, set up as app.ts does. */
function appOn(views: Views, dir: string, cache: boolean): express.Express {
  const app = express();
  app.engine('hbs', views.engine);
  app.set('view engine', 'hbs');
  app.set('views', dir);
  if (cache) app.enable('view cache');
  return app;
}

/** The app and its views, compiled (when cached) before it answers. */
async function started(dir: string, cache = true): Promise<{ app: express.Express; views: Views }> {
  const views = createViews({ viewsDir: dir, helpers: viewHelpers, cache });
  await views.ready();
  return { app: appOn(views, dir, cache), views };
}

/** The same app on express-handlebars' own engine, configured as createViews configures it. */
function libraryApp(dir: string): express.Express {
  const library = create({ extname: '.hbs', defaultLayout: 'main', layoutsDir: path.join(dir, 'layouts'), partialsDir: path.join(dir, 'partials'), helpers: viewHelpers });
  return appOn({ library, engine: library.engine as Views['engine'], ready: () => Promise.resolve(), page: () => undefined }, dir, true);
}

function render(app: express.Express, view: string, locals: object = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    app.render(view, locals, (error: Error | null, html?: string) => (error ? reject(error) : resolve(html!)));
  });
}

function finish(app: express.Express): express.Express {
  app.use(errorHandler(createLogger({ logLevel: 'silent' })));
  return app;
}

describe('the views', () => {
  test('wrap a view in the default layout, another layout, or none; source and output are trimmed', async () => {
    const { app } = await started(viewsWith(BASIC));
    assert.equal(await render(app, 'home', { title: 'Hi' }), '<main title="Hi"><h1>Hi</h1></main>');
    assert.equal(await render(app, 'home', { title: 'Hi', layout: 'plain' }), '<plain><h1>Hi</h1></plain>');
    assert.equal(await render(app, 'home', { title: 'Hi', layout: 'plain.hbs' }), '<plain><h1>Hi</h1></plain>');
    assert.equal(await render(app, 'home', { title: 'Hi', layout: false }), '<h1>Hi</h1>');
    assert.equal(await render(app, 'home', { title: 'Hi', layout: undefined }), '<h1>Hi</h1>', 'a layout key without a value: none, as express-handlebars does');
  });

  test('res.render goes through them with Express\'s locals; a compiled render answers the engine callback at once', async () => {
    const dir = viewsWith(BASIC);
    const { app, views } = await started(dir);
    app.locals.title = 'From the app';
    app.get('/', (_req, res) => res.render('home'));
    app.get('/bare', (_req, res) => res.render('home', { title: 'Bare', layout: false }));
    assert.equal((await request(app).get('/').expect(200)).text, '<main title="From the app"><h1>From the app</h1></main>');
    assert.equal((await request(app).get('/bare').expect(200)).text, '<h1>Bare</h1>');

    const calls: Array<[Error | null, string | undefined]> = [];
    views.engine(path.join(dir, 'home.hbs'), { title: 'x', layout: false, cache: true, settings: { views: dir } }, (error, html) => calls.push([error, html]));
    assert.deepEqual(calls, [[null, '<h1>x</h1>']], 'called once, before engine() returned');
  });

  test('find partials by their path in the partials folder, nested ones included, and partials within partials', async () => {
    const { app } = await started(viewsWith({
      ...BASIC,
      'partials/price-tag.hbs': '<b>{{price cents}}</b>',
      'partials/cart/line.hbs': '<li>{{title}} {{> price-tag}}</li>',
      'partials/cart/deep/note.hbs': '<i>{{text}}</i>',
      'cart.hbs': '<ul>{{#each lines}}{{> cart/line}}{{/each}}</ul>{{> cart/deep/note text="Ships soon"}}',
    }));
    const html = await render(app, 'cart', { layout: false, lines: [{ title: 'Dune', cents: 1299 }, { title: 'Emma', cents: 500 }] });
    assert.equal(html, '<ul><li>Dune <b>$12.99</b></li><li>Emma <b>$5.00</b></li></ul><i>Ships soon</i>');
  });

  test('a layout uses partials too, and partials given to one render replace the folder\'s in view and layout alike', async () => {
    const { app } = await started(viewsWith({
      'layouts/main.hbs': '{{> badge}}|{{{body}}}',
      'partials/badge.hbs': '[{{count}}]',
      'page.hbs': '{{> badge}}',
    }));
    assert.equal(await render(app, 'page', { count: 3 }), '[3]|[3]');
    assert.equal(await render(app, 'page', { count: 3, partials: { badge: () => '<slot>' } }), '<slot>|<slot>');
    assert.equal(await render(app, 'page', { count: 4 }), '[4]|[4]', 'the replacement was for that render only');
  });

  test('escape HTML by default and leave triple-stash output alone; helpers\' text is escaped too', async () => {
    const { app } = await started(viewsWith({ 'x.hbs': '<p title="{{text}}">{{text}}</p>{{{html}}}{{plural n "<one>" "<many>"}}' }));
    const html = await render(app, 'x', { layout: false, text: '"><script>alert(1)</script>', html: '<em>ok</em>', n: 2 });
    assert.equal(html, '<p title="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;</p><em>ok</em>&lt;many&gt;');
  });

  test('keep Handlebars\' @data: @root in partials and loops, @index, and data given to the render', async () => {
    const { app } = await started(viewsWith({
      'partials/row.hbs': '{{@index}}:{{name}}@{{@root.shop}};',
      'list.hbs': '{{#each items}}{{> row}}{{/each}}{{@greeting}}',
      'layouts/main.hbs': '{{@root.shop}}/{{{body}}}',
    }));
    const html = await render(app, 'list', { shop: 'Epic', items: [{ name: 'a' }, { name: 'b' }], data: { greeting: 'hello' } });
    assert.equal(html, 'Epic/0:a@Epic;1:b@Epic;hello');
  });

  test('helpers given to one render are added to the app\'s for that render', async () => {
    const { app } = await started(viewsWith({ 'x.hbs': '{{shout word}} {{price 250}}' }));
    assert.equal(await render(app, 'x', { layout: false, word: 'hi', helpers: { shout: (s: string) => s.toUpperCase() } }), 'HI $2.50');
    await assert.rejects(render(app, 'x', { layout: false, word: 'hi' }), /shout/);
  });

  test('a compiled render is byte for byte express-handlebars\' own: whitespace rules, @exphbs, per-render options', async () => {
    const dir = viewsWith({
      'layouts/main.hbs': '\n<html>{{@exphbs.view}}|{{@exphbs.layout}}|{{@exphbs.filePath}}|{{@exphbs.cache}}\n  {{{body}}}\n</html>\n\n',
      'layouts/other.hbs': '[{{{body}}}]{{#each @exphbs.partials}}{{@key}},{{/each}}',
      'partials/row.hbs': '  <li>  {{~name~}}  </li>\n',
      'partials/sub/x.hbs': '{{@exphbs.view}}',
      'admin/list.hbs': '<ul>\n  {{#each items}}\n  {{> row}}\n  {{/each}}\n</ul>\n{{#if note}}\n  {{note}}\n{{/if}}{{> sub/x}}{{@exphbs.view}}:{{@exphbs.layout}}:{{@exphbs.encoding}}:{{@extra}}{{#each @exphbs.helpers}}{{@key}},{{/each}}',
    });
    const { app } = await started(dir);
    const library = libraryApp(dir);
    const cases: object[] = [
      { items: [{ name: 'a' }, { name: 'b' }], note: 'n' },
      { items: [], layout: 'other' },
      { items: [{ name: '<b>' }], layout: false, data: { extra: 'x' } },
      { items: [{ name: 'c' }], helpers: { shout: () => 'S' }, partials: { row: () => '<row>' } },
      { items: [{ name: 'd' }], runtimeOptions: { allowProtoPropertiesByDefault: false }, encoding: 'utf8' },
    ];
    for (const locals of cases) {
      const ours = await render(app, 'admin/list', locals);
      assert.equal(ours, await render(library, 'admin/list', locals), JSON.stringify(locals));
      assert.ok(ours.length > 20);
    }
    // The layout's call sees the view's name, no layout of its own, its own file; the view's, the layout's name.
    assert.match(await render(app, 'admin/list', { items: [] }), /^<html>admin\/list\|\|[^|]*layouts[/\\]main\.hbs\|true\n[^]*admin\/list:main:utf8:price,/);
  });
});

describe('the views when something is missing or broken', () => {
  test('a missing partial or layout is an error that names it', async () => {
    const { app } = await started(viewsWith({ ...BASIC, 'broken.hbs': 'before {{> missing-part}} after' }));
    await assert.rejects(render(app, 'broken', { layout: false }), /The partial missing-part could not be found/);
    await assert.rejects(render(app, 'home', { layout: 'gone' }), /ENOENT.*layouts[/\\]gone\.hbs/);
  });

  test('the engine callback gets the error (once) instead of a throw', async () => {
    const dir = viewsWith({ 'broken.hbs': '{{> missing-part}}' });
    const { views } = await started(dir);
    const calls: unknown[][] = [];
    views.engine(path.join(dir, 'broken.hbs'), { layout: false, cache: true, settings: { views: dir } }, (...args) => calls.push(args));
    assert.equal(calls.length, 1);
    assert.match(String(calls[0][0]), /missing-part/);
    assert.equal(calls[0][1], undefined);
  });

  for (const cache of [true, false]) {
    test(`a missing view, partial or layout answers the 500 page through the error handler; the app carries on (cache ${cache ? 'on' : 'off'})`, async () => {
      const { app } = await started(viewsWith({
        ...BASIC,
        'errors/500.hbs': '<p class="error">{{message}}</p>',
        'broken.hbs': '{{> missing-part}}',
      }), cache);
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
  }

  test('when the error page itself cannot render, the message goes out as plain text', async () => {
    const { app } = await started(viewsWith({ 'layouts/main.hbs': '{{{body}}}', 'broken.hbs': '{{> missing-part}}' }));
    app.get('/', (_req, res) => res.render('broken'));
    finish(app);
    const res = await request(app).get('/').set('Accept', 'text/html').expect(500);
    assert.match(res.headers['content-type'], /^text\/plain/);
    assert.match(res.text, /^Something went wrong on our side\./);
  });

  test('when a template cannot be read at start, ready() says so and the other views still render, through express-handlebars', async (t) => {
    const dir = viewsWith(BASIC);
    fs.symlinkSync(path.join(dir, 'no-such-file'), path.join(dir, 'dangling.hbs'));
    const views = createViews({ viewsDir: dir, helpers: viewHelpers, cache: true });
    await assert.rejects(views.ready(), /ENOENT.*dangling\.hbs/);
    const library = t.mock.method(views.library, 'engine');
    const app = finish(appOn(views, dir, true));
    app.get('/', (_req, res) => res.render('home', { title: 'Up' }));
    app.get('/dangling', (_req, res) => res.render('dangling'));
    assert.equal((await request(app).get('/').expect(200)).text, '<main title="Up"><h1>Up</h1></main>');
    await request(app).get('/dangling').set('Accept', 'text/html').expect(500);
    assert.equal(library.mock.callCount(), 1, 'the dangling view: Express finds no file, as it would without us');
  });
});

describe('the views\' cache', () => {
  test('in development express-handlebars\' own engine renders, and an edited view, partial or layout shows at the next render', async () => {
    const dir = viewsWith({ ...BASIC, 'partials/tag.hbs': 'old tag', 'tagged.hbs': '{{> tag}}' });
    const { app, views } = await started(dir, false);
    assert.equal(views.engine, views.library.engine, 'no code of ours on the development path');
    assert.equal(await render(app, 'tagged', { title: 't' }), '<main title="t">old tag</main>');
    write(dir, 'partials/tag.hbs', 'new tag');
    write(dir, 'layouts/main.hbs', '<new>{{{body}}}</new>');
    assert.equal(await render(app, 'tagged', { title: 't' }), '<new>new tag</new>');
    write(dir, 'tagged.hbs', '{{> tag}} and {{> added/one}}');
    write(dir, 'partials/added/one.hbs', 'a new partial');
    assert.equal(await render(app, 'tagged', { title: 't' }), '<new>new tag and a new partial</new>');
  });

  test('in development an edited view shows at the next reload through Express too', async () => {
    const dir = viewsWith(BASIC);
    const { app } = await started(dir, false);
    app.get('/', (_req, res) => res.render('home', { title: 'One' }));
    assert.equal((await request(app).get('/').expect(200)).text, '<main title="One"><h1>One</h1></main>');
    write(dir, 'home.hbs', '<h2>{{title}}</h2>');
    assert.equal((await request(app).get('/').expect(200)).text, '<main title="One"><h2>One</h2></main>');
  });

  test('with the cache on, express-handlebars compiles every template at start, and renders never ask it again', async (t) => {
    const dir = viewsWith({ ...BASIC, 'partials/tag.hbs': 'tag', 'partials/nested/x.hbs': 'x', 'tagged.hbs': '{{> tag}}{{> nested/x}}' });
    const { app, views } = await started(dir);
    const compiled = Object.keys(views.library.compiled).map((file) => path.relative(dir, file)).sort();
    assert.deepEqual(compiled, ['home.hbs', 'layouts/main.hbs', 'layouts/plain.hbs', 'partials/nested/x.hbs', 'partials/tag.hbs', 'tagged.hbs']);

    const asked = [t.mock.method(views.library, 'getTemplate'), t.mock.method(views.library, 'getPartials'), t.mock.method(views.library, 'engine')];
    write(dir, 'partials/tag.hbs', 'edited');
    write(dir, 'layouts/main.hbs', 'edited');
    write(dir, 'tagged.hbs', 'edited');
    for (let i = 0; i < 3; i += 1) {
      assert.equal(await render(app, 'tagged', { title: 't' }), '<main title="t">tagx</main>');
      assert.equal(await render(app, 'home', { title: 't', layout: 'plain' }), '<plain><h1>t</h1></plain>');
    }
    assert.deepEqual(asked.map((method) => method.mock.callCount()), [0, 0, 0], 'no file read, nothing asked of express-handlebars after the start');
  });

  test('a render before the start\'s compile has finished, or of a view added after it, goes through express-handlebars', async (t) => {
    const dir = viewsWith({ ...BASIC, 'partials/tag.hbs': 'tag', 'tagged.hbs': '{{> tag}}' });
    const views = createViews({ viewsDir: dir, helpers: viewHelpers, cache: true });
    const app = appOn(views, dir, true);
    const early = render(app, 'tagged', { title: 'early' });
    await views.ready();
    assert.equal(await early, '<main title="early">tag</main>');

    write(dir, 'later.hbs', 'later {{> tag}}');
    const library = t.mock.method(views.library, 'engine');
    assert.equal(await render(app, 'later', { title: 'l', layout: 'plain' }), '<plain>later tag</plain>');
    assert.equal(library.mock.callCount(), 1);
    assert.equal(await render(app, 'tagged', { title: 't' }), '<main title="t">tag</main>');
    assert.equal(library.mock.callCount(), 1, 'a view from the start stays ours');
  });

  test('page() gives a view and its layout to render apart, the same bytes as res.render of them together', async () => {
    const dir = viewsWith({
      'layouts/main.hbs': '<title>{{title}}</title>\n{{> badge}}<main>{{{body}}}</main>\n',
      'partials/badge.hbs': '[{{count}}]',
      'page.hbs': '  <p>{{count}} for {{title}} {{@exphbs.view}}</p>\n',
    });
    const { app, views } = await started(dir);
    const locals = { ...app.locals, title: 'A & B', count: 2, cache: true };
    const page = views.page('page', locals);
    assert.ok(page && page.layout);
    const body = page.view();
    assert.equal(body, '<p>2 for A &amp; B page</p>', 'trimmed, with @exphbs as the engine gives it');
    assert.equal(page.layout(body), await render(app, 'page', { title: 'A & B', count: 2 }));
    // A layout rendered once around a marker, with a partial replaced by another marker.
    const marked = views.page('page', { ...locals, partials: { badge: () => '@BADGE@' } })!;
    assert.equal(marked.layout!('@BODY@'), '<title>A &amp; B</title>\n@BADGE@<main>@BODY@</main>');
    assert.equal(views.page('page', { ...locals, layout: false })!.layout, null);
  });

  test('page() gives nothing wherever the engine would leave the render to express-handlebars', async () => {
    const dir = viewsWith(BASIC);
    const cached = createViews({ viewsDir: dir, helpers: viewHelpers, cache: true });
    const locals = { settings: { views: dir }, cache: true, title: 'x' };
    assert.equal(cached.page('home', locals), undefined, 'before the start\'s compile finished');
    await cached.ready();
    assert.ok(cached.page('home', locals));
    assert.equal(cached.page('missing', locals), undefined, 'a view not there at start');
    assert.equal(cached.page('home', { ...locals, layout: 'missing' }), undefined, 'a layout not there at start');
    assert.equal(cached.page('home', { ...locals, cache: false }), undefined, 'the cache off for this render');
    assert.equal(cached.page('home', { ...locals, settings: { views: os.tmpdir() } }), undefined, 'another views folder');
    const development = createViews({ viewsDir: dir, helpers: viewHelpers, cache: false });
    await development.ready();
    assert.equal(development.page('home', locals), undefined, 'in development');
  });
});
