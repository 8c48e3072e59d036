import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { Op } from 'sequelize';
import { authorSearchName } from '../../lib/search-text';
import { AuditLog, Author, Book } from '../../models';
import { Shopper, signedInAdmin, signedInShopper, startTestApp, type TestApp } from '../helpers';

let t: TestApp;
let admin: Shopper;
let shopper: Shopper;

const authorNamed = (lastName: string, firstName = '') => Author.findOne({ where: { lastName, firstName } });
const idOf = async (lastName: string, firstName: string) => (await authorNamed(lastName, firstName))!.id;
const auditFor = (action: string, entityId: number) =>
  AuditLog.findAll({ where: { action, entityType: 'author', entityId }, order: [['id', 'ASC']] });
const detailsOf = (entry: AuditLog) => JSON.parse(entry.details ?? 'null') as Record<string, unknown>;

/** The rows of the list page, as "sortName|bookCount" strings in page order. */
function listedRows(html: string): string[] {
  return [...html.matchAll(/<tr data-author-id="\d+">\s*<td>([^<]*)<\/td>\s*<td data-book-count="(\d+)">/g)].map((m) => `${m[1]}|${m[2]}`);
}

/** Links as the browser reads them: Handlebars escapes `=` and `&` in attributes. */
const unescaped = (html: string) => html.replaceAll('&#x3D;', '=').replaceAll('&amp;', '&');

/** Adds authors straight through the model, for lists and searches that need many of them. */
async function addAuthors(lastNames: string[], firstName = 'Test'): Promise<void> {
  await t.db.writeTransaction((transaction) =>
    Author.bulkCreate(lastNames.map((lastName) => ({ firstName, lastName })), { transaction }));
}

async function addBook(title: string, AuthorId: number, hidden = false): Promise<Book> {
  return t.db.writeTransaction(async (transaction) => {
    const author = (await Author.findByPk(AuthorId, { transaction }))!;
    return Book.create({ title, genre: 'Fiction', price: '10.00', inventory: 1, AuthorId, authorName: authorSearchName(author), removedAt: hidden ? new Date() : null }, { transaction });
  });
}

before(async () => {
  t = await startTestApp();
  admin = await signedInAdmin(t);
  ({ shopper } = await signedInShopper(t));
});
after(() => t.close());

describe('who may use the authors pages', () => {
  const routes = async () => {
    const id = await idOf('Silverstein', 'Shel');
    return {
      gets: ['/admin/authors', '/admin/authors/new', `/admin/authors/${id}/edit`, `/admin/authors/${id}/delete`],
      posts: ['/admin/authors', `/admin/authors/${id}`, `/admin/authors/${id}/delete`],
    };
  };

  test('guests are sent to sign in, on every page and every form post', async () => {
    const { gets, posts } = await routes();
    for (const url of gets) {
      const res = await request(t.app).get(url).expect(303);
      assert.equal(res.headers.location, `/login?next=${encodeURIComponent(url)}`, url);
    }
    for (const url of posts) {
      const res = await request(t.app).post(url).type('form').send({ firstName: 'Guest', lastName: 'Writer' }).expect(303);
      assert.equal(res.headers.location, '/login', url);
    }
    assert.equal(await authorNamed('Writer', 'Guest'), null);
    assert.ok(await authorNamed('Silverstein', 'Shel'), 'nothing removed');
  });

  test('signed-in shoppers are refused, even with a valid form token', async () => {
    const { gets, posts } = await routes();
    for (const url of gets) await shopper.agent.get(url).expect(403);
    for (const url of posts) await shopper.post(url, { firstName: 'Shopper', lastName: 'Writer' }).expect(403);
    assert.equal(await authorNamed('Writer', 'Shopper'), null);
    assert.ok(await authorNamed('Silverstein', 'Shel'), 'not renamed or removed');
  });

  test('admins can open every page', async () => {
    const { gets } = await routes();
    for (const url of gets) {
      const res = await admin.agent.get(url).expect(200);
      assert.match(res.text, /<a href="\/admin\/authors" aria-current="page">Authors<\/a>/, `${url} marks the nav`);
    }
  });

  test('a form post without the CSRF token, or with a wrong one, is refused and changes nothing', async () => {
    const { posts } = await routes();
    for (const url of posts) {
      await admin.agent.post(url).type('form').send({ firstName: 'No', lastName: 'Token' }).expect(403);
      await admin.agent.post(url).type('form').send({ _csrf: 'forged', firstName: 'No', lastName: 'Token' }).expect(403);
    }
    assert.equal(await authorNamed('Token', 'No'), null);
    const shel = await authorNamed('Silverstein', 'Shel');
    assert.ok(shel, 'not renamed or removed');
    assert.equal(await AuditLog.count({ where: { entityType: 'author', entityId: shel.id } }), 0);
  });

  test('bad and unknown ids are 404 on every page and post', async () => {
    for (const id of ['abc', '0', '-1', '1.5', '1e3', '99999999999', '999999']) {
      await admin.agent.get(`/admin/authors/${id}/edit`).expect(404);
      await admin.agent.get(`/admin/authors/${id}/delete`).expect(404);
      await admin.post(`/admin/authors/${id}`, { firstName: 'Nobody', lastName: 'Here' }).expect(404);
      await admin.post(`/admin/authors/${id}/delete`, {}).expect(404);
    }
    assert.equal(await authorNamed('Here', 'Nobody'), null);
  });
});

describe('the author list', () => {
  test('lists authors by last name, 50 to a page, with their number of books', async () => {
    const first = await admin.agent.get('/admin/authors').expect(200);
    const rows = listedRows(first.text);
    assert.equal(rows.length, 50);
    assert.equal(rows[0], 'Achebe, Chinua|1');
    assert.ok(rows.includes('Silverstein, Shel|2'), 'two books');
    const lastNames = rows.map((r) => r.split(',')[0]);
    assert.deepEqual(lastNames, [...lastNames].sort((a, b) => a.localeCompare(b)), 'sorted by last name');
    assert.match(first.text, /53 authors, by last name/);
    assert.match(unescaped(first.text), /href="\/admin\/authors\?page=2" rel="next"/);
    for (const link of ['Edit', 'Remove']) assert.match(first.text, new RegExp(`<a href="/admin/authors/\\d+/(edit|delete)">${link}`));

    const second = await admin.agent.get('/admin/authors?page=2').expect(200);
    assert.deepEqual(listedRows(second.text), ['White, E. B.|1', 'Wilde, Oscar|1', 'Zinn, Howard|1']);
    const beyond = await admin.agent.get('/admin/authors?page=999').expect(200);
    assert.deepEqual(listedRows(beyond.text), listedRows(second.text), 'a page past the end shows the last one');
    const odd = await admin.agent.get('/admin/authors?page=abc&page=2').expect(200);
    assert.equal(listedRows(odd.text)[0], 'Achebe, Chinua|1', 'odd page values mean the first page');
  });

  test('counts hidden books too, and says how many are hidden', async () => {
    const id = await idOf('Zinn', 'Howard');
    await addBook('A Hidden Zinn', id, true);
    const res = await admin.agent.get('/admin/authors?q=zinn').expect(200);
    assert.match(res.text, /<td data-book-count="2">2 <small>\(1 hidden\)<\/small><\/td>/);
  });

  test('searches first and last names, every word, case-insensitively', async () => {
    const byLast = await admin.agent.get('/admin/authors?q=TOLKIEN').expect(200);
    assert.deepEqual(listedRows(byLast.text), ['Tolkien, J. R. R.|1']);
    assert.match(byLast.text, /1 author matches “TOLKIEN”/);
    assert.match(byLast.text, /name="q" value="TOLKIEN"/, 'the search is kept in its box');
    const both = await admin.agent.get('/admin/authors?q=john%20gri').expect(200);
    assert.deepEqual(listedRows(both.text), ['Grisham, John|1']);
    const none = await admin.agent.get('/admin/authors?q=nobody-by-this-name').expect(200);
    assert.match(none.text, /No author matches “nobody-by-this-name”/);
    assert.deepEqual(listedRows(none.text), []);
  });

  test('LIKE wildcards in a search are dropped, not obeyed', async () => {
    const percent = await admin.agent.get('/admin/authors?q=%25').expect(200);
    assert.equal(listedRows(percent.text).length, 50, 'a lone % is no search at all');
    assert.doesNotMatch(percent.text, /match/);
    // As a LIKE pattern no single name column would match these; as separated words, first and last name do.
    for (const query of ['John%Grisham', 'John_Grisham', 'John\\Grisham']) {
      const res = await admin.agent.get(`/admin/authors?q=${encodeURIComponent(query)}`).expect(200);
      assert.deepEqual(listedRows(res.text), ['Grisham, John|1'], query);
    }
    await admin.agent.get(`/admin/authors?q=${'a'.repeat(5000)}`).expect(200);
    const repeated = await admin.agent.get('/admin/authors?q=a&q=b').expect(200);
    assert.equal(listedRows(repeated.text).length, 50, 'a repeated q is ignored');
  });

  test('matches words by their start, across accents, and follows renames and removals', async () => {
    await addAuthors(['García Márquez'], 'Gabriel');
    const accented = await admin.agent.get('/admin/authors?q=garcia%20marq').expect(200);
    assert.deepEqual(listedRows(accented.text), ['García Márquez, Gabriel|0'], 'prefixes of words, accents folded');
    const inside = await admin.agent.get('/admin/authors?q=arcia').expect(200);
    assert.deepEqual(listedRows(inside.text), [], 'a word matches from its start, as in the store search');

    const id = await idOf('García Márquez', 'Gabriel');
    await admin.post(`/admin/authors/${id}`, { firstName: 'Gabo', lastName: 'Marquez Renamed' }).expect(303);
    assert.deepEqual(listedRows((await admin.agent.get('/admin/authors?q=garcia').expect(200)).text), [], 'the old name is gone from the index');
    assert.deepEqual(listedRows((await admin.agent.get('/admin/authors?q=renamed%20gabo').expect(200)).text), ['Marquez Renamed, Gabo|0']);
    await admin.post(`/admin/authors/${id}/delete`, {}).expect(303);
    assert.deepEqual(listedRows((await admin.agent.get('/admin/authors?q=renamed').expect(200)).text), [], 'a removed author is not found');
  });

  test('short words and stopwords only narrow a search; alone they start a last name', async () => {
    await addAuthors(['Le Guinmatch', 'Guinmatch'], 'Ursula');
    const narrowed = await admin.agent.get('/admin/authors?q=le%20guinmatch').expect(200);
    assert.deepEqual(listedRows(narrowed.text), ['Le Guinmatch, Ursula|0']);
    const both = await admin.agent.get('/admin/authors?q=guinmatch').expect(200);
    assert.equal(listedRows(both.text).length, 2);
    await addAuthors(['Wu', 'Wuxing', 'Ng'], 'Short');
    const wu = await admin.agent.get('/admin/authors?q=WU').expect(200);
    assert.deepEqual(listedRows(wu.text), ['Wu, Short|0', 'Wuxing, Short|0'], 'last names that start with it, any case');
    const ng = await admin.agent.get('/admin/authors?q=ng').expect(200);
    assert.deepEqual(listedRows(ng.text), ['Ng, Celeste|1', 'Ng, Short|0'], 'Celeste Ng of the catalog too');
    const shortTwo = await admin.agent.get('/admin/authors?q=wu%20sh').expect(200);
    assert.deepEqual(listedRows(shortTwo.text), ['Wu, Short|0', 'Wuxing, Short|0'], 'every short word must be in the name');
    const none = await admin.agent.get('/admin/authors?q=qx').expect(200);
    assert.match(none.text, /No author matches “qx”/);
  });

  test('a search keeps its words across pages', async () => {
    const names = Array.from({ length: 55 }, (_, i) => `Pagetest${String(i + 1).padStart(3, '0')}`);
    await addAuthors(names);
    const first = await admin.agent.get('/admin/authors?q=pagetest').expect(200);
    assert.match(first.text, /55 authors match “pagetest”/);
    const rows = listedRows(first.text);
    assert.equal(rows.length, 50);
    assert.equal(rows[0], 'Pagetest001, Test|0');
    assert.equal(rows[49], 'Pagetest050, Test|0');
    assert.match(unescaped(first.text), /href="\/admin\/authors\?q=pagetest&page=2" rel="next"/);
    const second = await admin.agent.get('/admin/authors?q=pagetest&page=2').expect(200);
    assert.deepEqual(listedRows(second.text), names.slice(50).map((n) => `${n}, Test|0`));
  });
});

describe('adding an author', () => {
  test('shows the form with both fields labelled', async () => {
    const res = await admin.agent.get('/admin/authors/new').expect(200);
    assert.match(res.text, /<label for="firstName">/);
    assert.match(res.text, /<label for="lastName">/);
    assert.match(res.text, /<form action="\/admin\/authors" method="post"/);
    assert.match(res.text, /name="_csrf" value="[^"]+"/);
  });

  test('adds the author, trimmed, writes the audit entry and says so', async () => {
    const res = await admin.post('/admin/authors', { firstName: '  Ursula  K. ', lastName: ' Le   Guin ' }).expect(303);
    assert.equal(res.headers.location, '/admin/authors');
    const author = await authorNamed('Le Guin', 'Ursula K.');
    assert.ok(author, 'stored trimmed, runs of spaces made one');
    const [entry, ...more] = await auditFor('author.create', author.id);
    assert.equal(more.length, 0);
    assert.equal(entry.summary, 'Added author Ursula K. Le Guin');
    assert.equal(entry.actorEmail, 'admin@epicbook.test');
    assert.deepEqual(detailsOf(entry), { after: { firstName: 'Ursula K.', lastName: 'Le Guin' } });
    const list = await admin.agent.get('/admin/authors').expect(200);
    assert.match(list.text, /class="flash flash-success" role="status">Added Ursula K. Le Guin\./);
  });

  test('an author may go by one name', async () => {
    await admin.post('/admin/authors', { firstName: '', lastName: 'Homer' }).expect(303);
    await admin.post('/admin/authors', { lastName: 'Voltaire' }).expect(303);
    assert.ok(await authorNamed('Homer', ''));
    assert.ok(await authorNamed('Voltaire', ''));
    const list = await admin.agent.get('/admin/authors?q=homer').expect(200);
    assert.deepEqual(listedRows(list.text), ['Homer|0']);
  });

  test('a bad form comes back as 422 with a message by the field and the input kept', async () => {
    const before = await Author.count();
    const empty = await admin.post('/admin/authors', { firstName: 'Kept Name', lastName: '   ' }).expect(422);
    assert.match(empty.text, /Please correct the highlighted fields/);
    assert.match(empty.text, /id="lastName-error"[^>]*>Enter the author&#x27;s last name\./);
    assert.match(empty.text, /id="lastName"[^>]*aria-invalid="true"/);
    assert.match(empty.text, /value="Kept Name"/);

    const long = await admin.post('/admin/authors', { firstName: 'x'.repeat(101), lastName: 'Fine' }).expect(422);
    assert.match(long.text, /id="firstName-error"[^>]*>Keep the first name to at most 100 characters\./);
    assert.match(long.text, /value="Fine"/);

    const control = await admin.post('/admin/authors', { firstName: 'Bell', lastName: 'Ding\u0007Dong' }).expect(422);
    assert.match(control.text, /id="lastName-error"[^>]*>The last name contains characters we cannot store\./);
    const newline = await admin.post('/admin/authors', { firstName: 'Two\nLines', lastName: 'Name' }).expect(422);
    assert.match(newline.text, /id="firstName-error"/);

    const token = await admin.csrf();
    await admin.agent.post('/admin/authors').type('form').send({ _csrf: token }).expect(422);
    const twice = await admin.agent.post('/admin/authors').type('form').send(`_csrf=${token}&lastName=a&lastName=b`).expect(422);
    assert.match(twice.text, /The last name must be text\./);
    assert.equal(await Author.count(), before, 'nothing stored');
  });

  test('a name that already exists is a 409 with a message by the field, input kept', async () => {
    const before = await Author.count();
    const res = await admin.post('/admin/authors', { firstName: ' Elin ', lastName: 'Hilderbrand ' }).expect(409);
    assert.match(res.text, /id="lastName-error"[^>]*>There is already an author named Elin Hilderbrand\./);
    assert.match(res.text, /value=" Elin "/);
    assert.equal(await Author.count(), before);
    assert.equal(await AuditLog.count({ where: { action: 'author.create', summary: 'Added author Elin Hilderbrand' } }), 0);
  });

  test('two admins adding the same author at once: one is added, the other told it exists', async () => {
    const other = await signedInAdmin(t);
    const results = await Promise.all([
      admin.post('/admin/authors', { firstName: 'Octavia E.', lastName: 'Butler' }),
      other.post('/admin/authors', { firstName: 'Octavia E.', lastName: 'Butler' }),
    ]);
    assert.deepEqual(results.map((r) => r.status).sort(), [303, 409]);
    assert.match(results.find((r) => r.status === 409)!.text, /There is already an author named Octavia E\. Butler\./);
    assert.equal(await Author.count({ where: { lastName: 'Butler' } }), 1);
    const id = await idOf('Butler', 'Octavia E.');
    assert.equal((await auditFor('author.create', id)).length, 1);
  });

  test('names are escaped on every page', async () => {
    await admin.post('/admin/authors', { firstName: '<b>Bold</b>', lastName: '<script>alert(1)</script>' }).expect(303);
    const author = await authorNamed('<script>alert(1)</script>', '<b>Bold</b>');
    assert.ok(author, 'stored as typed');
    const pages = [
      await admin.agent.get('/admin/authors?q=script').expect(200),
      await admin.agent.get(`/admin/authors/${author.id}/edit`).expect(200),
      await admin.agent.get(`/admin/authors/${author.id}/delete`).expect(200),
    ];
    for (const page of pages) {
      assert.doesNotMatch(page.text, /<script>alert/);
      assert.doesNotMatch(page.text, /<b>Bold/);
      assert.match(page.text, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    }
    assert.match(pages[0].text, /<td>&lt;script&gt;alert\(1\)&lt;\/script&gt;, &lt;b&gt;Bold&lt;\/b&gt;<\/td>/);
  });
});

describe('editing an author', () => {
  test('shows the form filled in', async () => {
    const id = await idOf('Orwell', 'George');
    const res = await admin.agent.get(`/admin/authors/${id}/edit`).expect(200);
    assert.match(res.text, /<h1>Edit George Orwell<\/h1>/);
    assert.match(res.text, new RegExp(`<form action="/admin/authors/${id}" method="post"`));
    assert.match(res.text, /id="firstName" name="firstName" value="George"/);
    assert.match(res.text, /id="lastName" name="lastName" value="Orwell"/);
  });

  test('renames the author, keeps their books and audits before and after', async () => {
    const id = await idOf('Orwell', 'George');
    const books = await Book.count({ where: { AuthorId: id } });
    const res = await admin.post(`/admin/authors/${id}`, { firstName: 'Eric Arthur', lastName: 'Blair' }).expect(303);
    assert.equal(res.headers.location, '/admin/authors');
    const author = await Author.findByPk(id);
    assert.equal(author?.fullName, 'Eric Arthur Blair');
    assert.equal(await Book.count({ where: { AuthorId: id } }), books);
    const [entry] = await auditFor('author.update', id);
    assert.equal(entry.summary, 'Renamed author George Orwell to Eric Arthur Blair');
    assert.deepEqual(detailsOf(entry), {
      before: { firstName: 'George', lastName: 'Orwell' },
      after: { firstName: 'Eric Arthur', lastName: 'Blair' },
    });
    const list = await admin.agent.get('/admin/authors?q=blair').expect(200);
    assert.match(list.text, /Saved Eric Arthur Blair\./);
    assert.deepEqual(listedRows(list.text), ['Blair, Eric Arthur|1']);
  });

  test('saving the same name again changes nothing and writes no audit entry', async () => {
    const id = await idOf('Austen', 'Jane');
    await admin.post(`/admin/authors/${id}`, { firstName: 'Jane', lastName: ' Austen' }).expect(303);
    assert.equal((await auditFor('author.update', id)).length, 0);
    const list = await admin.agent.get('/admin/authors').expect(200);
    assert.match(list.text, /Nothing changed: Jane Austen already had that name\./);
  });

  test('a bad form is a 422 with the input kept; renaming onto another author is a 409', async () => {
    const id = await idOf('Atwood', 'Margaret');
    const bad = await admin.post(`/admin/authors/${id}`, { firstName: 'Peggy', lastName: '' }).expect(422);
    assert.match(bad.text, /<h1>Edit Margaret Atwood<\/h1>/);
    assert.match(bad.text, /id="lastName-error"[^>]*>Enter the author&#x27;s last name\./);
    assert.match(bad.text, /value="Peggy"/);

    const taken = await admin.post(`/admin/authors/${id}`, { firstName: 'Jane', lastName: 'Austen' }).expect(409);
    assert.match(taken.text, /id="lastName-error"[^>]*>There is already an author named Jane Austen\./);
    assert.match(taken.text, /value="Jane"/);
    assert.equal((await Author.findByPk(id))?.fullName, 'Margaret Atwood');
    assert.equal((await auditFor('author.update', id)).length, 0);
  });
});

describe('removing an author', () => {
  test('an author with books cannot be removed, and the page says why', async () => {
    const id = await idOf('Silverstein', 'Shel');
    const page = await admin.agent.get(`/admin/authors/${id}/delete`).expect(200);
    assert.match(page.text, /<h1>Remove Shel Silverstein\?<\/h1>/);
    assert.match(page.text, /Shel Silverstein still has 2 books\./);
    assert.doesNotMatch(page.text, /action="\/admin\/authors\/\d+\/delete"/, 'no button that cannot work');

    const res = await admin.post(`/admin/authors/${id}/delete`, {}).expect(409);
    assert.match(res.text, /Shel Silverstein still has 2 books\./);
    assert.ok(await Author.findByPk(id));
    assert.equal((await auditFor('author.delete', id)).length, 0);
  });

  test('every seeded author still has a book and is refused', async () => {
    const seeded = await Author.findAll({ where: { lastName: { [Op.in]: ['Achebe', 'Carle', 'Zinn', 'Brontë'] } } });
    assert.equal(seeded.length, 4);
    for (const author of seeded) await admin.post(`/admin/authors/${author.id}/delete`, {}).expect(409);
    assert.equal(await Author.count({ where: { id: seeded.map((a) => a.id) } }), 4);
  });

  test('hidden books count too', async () => {
    await admin.post('/admin/authors', { firstName: 'Hidden', lastName: 'Only' }).expect(303);
    const id = await idOf('Only', 'Hidden');
    await addBook('Nobody Sees This', id, true);
    const res = await admin.post(`/admin/authors/${id}/delete`, {}).expect(409);
    assert.match(res.text, /Hidden Only still has 1 book \(hidden from the store\)\./);
    assert.ok(await Author.findByPk(id));
  });

  test('an author without books is removed after the confirmation, with an audit entry', async () => {
    await admin.post('/admin/authors', { firstName: 'Short', lastName: 'Lived' }).expect(303);
    const id = await idOf('Lived', 'Short');
    const page = await admin.agent.get(`/admin/authors/${id}/delete`).expect(200);
    assert.match(page.text, /<h1>Remove Short Lived\?<\/h1>/);
    assert.match(page.text, new RegExp(`<form action="/admin/authors/${id}/delete" method="post"`));
    assert.match(page.text, /name="_csrf" value="[^"]+"/);
    assert.equal(await Author.count({ where: { id } }), 1, 'the confirmation page removes nothing');

    const res = await admin.post(`/admin/authors/${id}/delete`, {}).expect(303);
    assert.equal(res.headers.location, '/admin/authors');
    assert.equal(await Author.findByPk(id), null);
    const [entry] = await auditFor('author.delete', id);
    assert.equal(entry.summary, 'Removed author Short Lived');
    assert.deepEqual(detailsOf(entry), { before: { firstName: 'Short', lastName: 'Lived' } });
    const list = await admin.agent.get('/admin/authors').expect(200);
    assert.match(list.text, /Removed Short Lived\./);

    await admin.post(`/admin/authors/${id}/delete`, {}).expect(404);
    await admin.agent.get(`/admin/authors/${id}/edit`).expect(404);
  });

  test('a book added after the confirmation page opened still stops the removal', async () => {
    await admin.post('/admin/authors', { firstName: 'Late', lastName: 'Bloomer' }).expect(303);
    const id = await idOf('Bloomer', 'Late');
    const page = await admin.agent.get(`/admin/authors/${id}/delete`).expect(200);
    assert.match(page.text, /has no books in the store/);
    await addBook('A Late Debut', id);
    const res = await admin.post(`/admin/authors/${id}/delete`, {}).expect(409);
    assert.match(res.text, /Late Bloomer still has 1 book\./);
    assert.ok(await Author.findByPk(id));
  });
});
