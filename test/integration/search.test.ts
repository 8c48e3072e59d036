import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { QueryTypes } from 'sequelize';
import { Author, Book } from '../../models';
import { searchBooks } from '../../services/catalog';
import { createAdminBookService } from '../../services/admin/books';
import { searchPageQuery, type BookSearch } from '../../services/book-search';
import { authorSearchName, searchWords } from '../../lib/search-text';
import { Shopper, signedInAdmin, startTestApp, testDialect, type TestApp } from '../helpers';

let t: TestApp;
let admin: Shopper;

const titles = async (q: string, page = 1, perPage = 24) => (await searchBooks(q, { page, perPage })).items.map((b) => b.title);
const adminTitles = async (q: string, status: 'all' | 'listed' | 'hidden' = 'all') =>
  (await createAdminBookService(t.db).list({ q, status, page: 1, perPage: 50 })).items.map((b) => b.title);

/** Books straight through the model (the insert trigger on SQLite, InnoDB's own index on MySQL). */
async function addBooks(author: { firstName: string; lastName: string }, books: Array<{ title: string; description: string }>): Promise<Book[]> {
  return t.db.writeTransaction(async (transaction) => {
    const [row] = await Author.findOrCreate({ where: author, transaction });
    return Book.bulkCreate(
      books.map((b) => ({ title: b.title, bookDescription: b.description, genre: 'Fiction', price: '10.00', inventory: 3, AuthorId: row.id, authorName: authorSearchName(row) })),
      { transaction },
    );
  });
}

before(async () => {
  t = await startTestApp();
  admin = await signedInAdmin(t);
});
after(async () => t.close());

describe('search: matching', () => {
  test('each word matches the start of a word of the title, the author or the description, in any case or accent', async () => {
    assert.deepEqual(await titles('hobb'), ['The Hobbit']);
    assert.deepEqual(await titles('HOBBIT'), ['The Hobbit']);
    assert.deepEqual(await titles('tolk'), ['The Hobbit'], 'by the author');
    assert.deepEqual(await titles('atticus'), ['To Kill a Mockingbird'], 'by the description');
    assert.deepEqual(await titles('bronte'), ['Wuthering Heights'], 'Brontë without the diaeresis');
    assert.deepEqual(await titles('obbit'), [], 'a word is matched from its start, not inside');
  });

  test('apostrophes and hyphens split words alike in the books and in the search', async () => {
    await addBooks({ firstName: 'Flann', lastName: "O'Brien" }, [{ title: 'The Third Policeman', description: 'A sci-fi-ish comic novel.' }]);
    for (const q of ["o'brien", 'o brien', 'brien', 'O’Brien third', 'sci-fi policeman', 'fi ish policeman']) {
      assert.deepEqual(await titles(q), ['The Third Policeman'], q);
    }
  });

  test('every word must match, wherever it is', async () => {
    assert.deepEqual(await titles('tolkien hobbit'), ['The Hobbit']);
    assert.deepEqual(await titles('harper lee mockingbird'), ['To Kill a Mockingbird']);
    assert.deepEqual(await titles('hobbit gatsby'), []);
  });

  test('stopwords and short words narrow a search but are never looked up alone', async () => {
    assert.deepEqual(await titles('the hobbit'), ['The Hobbit'], '"the" is not in the MySQL index, yet the search works');
    assert.deepEqual(await titles('The Great Gatsby'), ['The Great Gatsby']);
    assert.deepEqual(await titles('to kill a mockingbird'), ['To Kill a Mockingbird']);
    assert.deepEqual(await titles('hobbit qx'), [], 'a short word must appear too');
  });

  test('a search of short words alone finds the titles that start with its first word, in title order', async () => {
    await addBooks({ firstName: 'Stephen', lastName: 'King' }, [
      { title: 'It', description: 'Seven children face a shape-shifting horror in Derry, Maine.' },
      { title: 'Ithaca Road', description: 'A journey home.' },
    ]);
    assert.deepEqual(await titles('it'), ['It', 'Ithaca Road']);
    assert.deepEqual(await titles('IT'), ['It', 'Ithaca Road'], 'in any case');
    assert.deepEqual(await titles('it ma'), ['It'], 'the other short words narrow it (Maine is in the description)');
    assert.ok(!(await titles('it')).includes('The Room Where It Happened'), 'a short word is looked up at the start of a title only');

    const startingWithThe = (await Book.findAll({ where: { removedAt: null } })).map((b) => b.title)
      .filter((title) => /^the/i.test(title));
    assert.ok(startingWithThe.length > 5, 'the catalog has titles starting with "The"');
    const page = await searchBooks('the', { page: 1, perPage: 100 });
    assert.equal(page.total, startingWithThe.length);
    assert.deepEqual([...page.items.map((b) => b.title)].sort(), [...startingWithThe].sort());
    const inOrder = page.items.map((b) => b.title);
    assert.deepEqual(inOrder, [...inOrder].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0)), 'title order');

    for (const q of ['x', 'qz', 'of xq']) assert.deepEqual(await titles(q), [], q);
    for (const q of ['', '   ', '*', '"']) {
      const empty = await searchBooks(q, { page: 1, perPage: 24 });
      assert.deepEqual({ total: empty.total, items: empty.items.length, pageCount: empty.pageCount }, { total: 0, items: 0, pageCount: 1 }, JSON.stringify(q));
    }
  });

  test('short-word searches page like any other, and leave hidden books out', async () => {
    const books = await addBooks({ firstName: 'Up', lastName: 'Tester' }, Array.from({ length: 7 }, (_, i) => ({ title: `Up ${String.fromCharCode(65 + i)}`, description: 'Short.' })));
    await Book.update({ removedAt: new Date() }, { where: { id: books[6].id } });
    const first = await searchBooks('up', { page: 1, perPage: 4 });
    assert.deepEqual({ total: first.total, pageCount: first.pageCount }, { total: 6, pageCount: 2 });
    assert.deepEqual(first.items.map((b) => b.title), ['Up A', 'Up B', 'Up C', 'Up D']);
    assert.deepEqual((await searchBooks('up', { page: 9, perPage: 4 })).items.map((b) => b.title), ['Up E', 'Up F'], 'past the end: the last page');
    const res = await request(t.app).get('/search?q=up').expect(200);
    assert.match(res.text, /6 books match “up”/);
  });

  test("a shopper's quotes, operators and brackets are text, never query syntax", async () => {
    // Each of these would mean something else (or be an error) to FTS5 or to boolean mode.
    for (const q of ['"hobbit', 'hobbit"', '"hobbit"', 'hobbit*', '*hobbit', '+hobbit', '-hobbit', '(hobbit)', 'hobbit)', '{hobbit}',
      'hobbit:', '^hobbit', '~hobbit', '@hobbit', '<hobbit', '>hobbit', "hobbit'", 'hobbit\\', '"hobbit" + "tolkien"', 'hobbit -tolkien']) {
      assert.deepEqual(await titles(q), ['The Hobbit'], q);
    }
    assert.deepEqual(await titles('hobbit OR gatsby'), [], 'OR is a word, not an alternative');
    assert.deepEqual(await titles('gatsby NOT fitzgerald'), [], 'NOT is a word that must match');
    assert.deepEqual(await titles('hobbit NEAR tolkien'), [], 'NEAR is a word');
    for (const q of ['"', '""', '*', '-', '+', '()', '(', ')', 'NEAR', 'NEAR(', 'AND', 'OR', 'NOT', '^', ':', '{}', '\'"*()-+~<>@', '%', '_', "' OR 1=1 --"]) {
      const res = await request(t.app).get(`/search?q=${encodeURIComponent(q)}`).expect(200);
      assert.match(res.text, /books? match|No books match/, q);
    }
  });

  test('combining marks alone are no word: they match nothing on either database', async () => {
    // InnoDB reads marks as separators, so such a "word" once matched every book on MySQL.
    for (const q of ['\u0301\u0301\u0301', '\u0488\u0488\u0488', '\u20dd\u20dd\u20dd']) {
      assert.deepEqual(await titles(q), [], JSON.stringify(q));
    }
    assert.deepEqual(await titles('\u0301\u0301\u0301 hobbit'), ['The Hobbit'], 'marks beside a real word leave it alone');
  });

  test('the most relevant book comes first, then titles in order, and pages count right', async () => {
    // Inserted out of title order, so the order is not the ids'.
    await addBooks({ firstName: 'Rank', lastName: 'Tester' }, [
      { title: 'Bravo Volume', description: 'A story about a zephyrquill.' },
      { title: 'Charlie Volume', description: 'zephyrquill zephyrquill zephyrquill, nothing but zephyrquill' },
      { title: 'Alpha Volume', description: 'A story about a zephyrquill.' },
    ]);
    assert.deepEqual(await titles('zephyrquill'), ['Charlie Volume', 'Alpha Volume', 'Bravo Volume']);

    const many = Array.from({ length: 12 }, (_, i) => ({ title: `Pagination Volume ${String(i + 1).padStart(2, '0')}`, description: 'A quillpage story.' }));
    await addBooks({ firstName: 'Page', lastName: 'Tester' }, many);
    const first = await searchBooks('quillpage', { page: 1, perPage: 5 });
    assert.deepEqual({ total: first.total, pageCount: first.pageCount, page: first.page }, { total: 12, pageCount: 3, page: 1 });
    const pages = [first.items, (await searchBooks('quillpage', { page: 2, perPage: 5 })).items, (await searchBooks('quillpage', { page: 3, perPage: 5 })).items];
    assert.deepEqual(pages.map((p) => p.length), [5, 5, 2]);
    assert.deepEqual(pages.flat().map((b) => b.title), many.map((b) => b.title), 'every book once, in title order');
    const beyond = await searchBooks('quillpage', { page: 99, perPage: 5 });
    assert.equal(beyond.page, 3, 'a page past the end shows the last');
    assert.equal(beyond.items.length, 2);
    const res = await request(t.app).get('/search?q=pagination+quillpage').expect(200);
    assert.match(res.text, /12 books match/);
  });
});

describe('search: kept right as the catalog changes', () => {
  test('an edited book is found by its new title and new author, not by the old ones', async () => {
    const [book] = await addBooks({ firstName: 'Olga', lastName: 'Oldname' }, [{ title: 'Fennimore Draft', description: 'A plain tale.' }]);
    assert.deepEqual(await titles('fennimore oldname'), ['Fennimore Draft']);
    const form = {
      title: 'Marlowe Final', AuthorId: '', authorFirstName: 'Nadia', authorLastName: 'Newname', genre: 'Fiction', pubYear: '2001',
      price: '12.00', inventory: '3', inventoryWas: '3', bookDescription: 'A plain tale.',
    };
    await admin.post(`/admin/books/${book.id}`, form).expect(303);
    assert.deepEqual(await titles('fennimore'), []);
    assert.deepEqual(await titles('oldname'), []);
    assert.deepEqual(await titles('marlowe newname'), ['Marlowe Final']);
    assert.deepEqual(await adminTitles('nadia newname'), ['Marlowe Final']);
  });

  test("renaming an author moves all of their books to the new name", async () => {
    const books = await addBooks({ firstName: 'Petra', lastName: 'Prename' }, [
      { title: 'Quinlan One', description: 'First.' },
      { title: 'Quinlan Two', description: 'Second.' },
    ]);
    await admin.post(`/admin/authors/${books[0].AuthorId}`, { firstName: 'Petra', lastName: 'Postname' }).expect(303);
    assert.deepEqual(await titles('prename'), []);
    assert.deepEqual(await titles('postname'), ['Quinlan One', 'Quinlan Two']);
    assert.deepEqual(await adminTitles('petra postname'), ['Quinlan One', 'Quinlan Two']);
  });

  test('hidden books are not in the store, the admin list finds them by status; deleted books are gone', async () => {
    const [hidden, gone] = await addBooks({ firstName: 'Hugo', lastName: 'Hider' }, [
      { title: 'Vanishing Xylograph', description: 'Hidden.' },
      { title: 'Deleted Xylograph', description: 'Deleted.' },
    ]);
    await Book.update({ removedAt: new Date() }, { where: { id: hidden.id } });
    await Book.destroy({ where: { id: gone.id } });
    assert.deepEqual(await titles('xylograph'), []);
    assert.deepEqual(await adminTitles('xylograph', 'all'), ['Vanishing Xylograph']);
    assert.deepEqual(await adminTitles('xylograph', 'hidden'), ['Vanishing Xylograph']);
    assert.deepEqual(await adminTitles('xylograph', 'listed'), []);
    await Book.update({ removedAt: null }, { where: { id: hidden.id } });
    assert.deepEqual(await titles('xylograph'), ['Vanishing Xylograph']);
  });

  test('the admin list searches titles and authors, not descriptions', async () => {
    assert.deepEqual(await titles('atticus'), ['To Kill a Mockingbird']);
    assert.deepEqual(await adminTitles('atticus'), []);
    assert.deepEqual(await adminTitles('harper mock'), ['To Kill a Mockingbird']);
    const res = await admin.agent.get(`/admin/books?q=${encodeURIComponent('"(hobbit* -NEAR')}`).expect(200);
    assert.match(res.text, /No books match\./);
  });
});

describe('search: query plans', () => {
  async function explain(search: BookSearch): Promise<Array<Record<string, unknown>>> {
    const { sql, replacements } = searchPageQuery(t.db.sequelize, search, { limit: 24, offset: 0 });
    const prefix = t.db.dialect === 'mysql' ? 'EXPLAIN ' : 'EXPLAIN QUERY PLAN ';
    return t.db.sequelize.query<Record<string, unknown>>(prefix + sql, { replacements, type: QueryTypes.SELECT });
  }

  for (const scope of ['store', 'admin'] as const) {
    test(`the ${scope} search reads the full-text index, never every book`, async () => {
      const plan = await explain({ words: searchWords('the hobbit tolk'), scope, status: scope === 'store' ? 'listed' : 'all' });
      if (testDialect === 'mysql') {
        const books = plan.find((row) => row.table === 'b');
        assert.equal(books?.type, 'fulltext', JSON.stringify(plan));
        assert.equal(books?.key, scope === 'store' ? 'books_search' : 'books_search_admin');
      } else {
        const steps = plan.map((row) => String(row.detail));
        assert.ok(steps.some((s) => /^SCAN BooksSearch VIRTUAL TABLE INDEX/.test(s)), steps.join('\n'));
        assert.ok(steps.some((s) => /^SEARCH b USING (COVERING INDEX books_search_listing|INTEGER PRIMARY KEY) \((id|rowid)=/.test(s)), steps.join('\n'));
        assert.ok(!steps.some((s) => /^SCAN b\b/.test(s)), steps.join('\n'));
      }
    });

    test(`the ${scope} search of short words alone reads a title range, never every book`, async () => {
      const plan = await explain({ words: searchWords('it on'), scope, status: scope === 'store' ? 'listed' : 'all' });
      if (testDialect === 'mysql') {
        const books = plan.find((row) => row.table === 'b');
        assert.equal(books?.type, 'range', JSON.stringify(plan));
        assert.match(String(books?.key), /^books_(listed_)?title$/);
      } else {
        const steps = plan.map((row) => String(row.detail));
        assert.ok(steps.some((s) => /^SEARCH b USING INDEX books_title_nocase \(title>\? AND title<\?\)/.test(s)), steps.join('\n'));
        assert.ok(!steps.some((s) => /^SCAN b\b/.test(s)), steps.join('\n'));
      }
    });
  }
});
