import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SEARCH_MAX_WORDS, authorSearchName, booleanModeMatch, fts5Match, searchWords } from '../../lib/search-text';

test('a search becomes lower-case words; punctuation of any kind only separates them', () => {
  assert.deepEqual(searchWords('  The  HOBBIT '), { indexed: ['hobbit'], filters: ['the'] });
  assert.deepEqual(searchWords('"hobbit"* -(tolkien) NEAR/2 +x'), { indexed: ['hobbit', 'tolkien', 'near'], filters: ['2', 'x'] });
  assert.deepEqual(searchWords('Brontë O\'Brien sci-fi'), { indexed: ['brontë', 'brien', 'sci'], filters: ['o', 'fi'] });
  assert.deepEqual(searchWords('%_*"()'), { indexed: [], filters: [] });
  assert.deepEqual(searchWords('dune DUNE Dune'), { indexed: ['dune'], filters: [] }, 'repeats count once');
});

test('short words and InnoDB stopwords are filters, not index lookups', () => {
  assert.deepEqual(searchWords('it is about 451'), { indexed: ['451'], filters: ['it', 'is', 'about'] });
  assert.deepEqual(searchWords('ab abc'), { indexed: ['abc'], filters: ['ab'] });
});

test(`at most ${SEARCH_MAX_WORDS} words are used`, () => {
  const { indexed, filters } = searchWords('one two three four five six seven eight');
  assert.equal(indexed.length + filters.length, SEARCH_MAX_WORDS);
});

test('the FTS5 and boolean-mode queries quote or require every word as a prefix', () => {
  assert.equal(fts5Match(['hobbit', 'near']), '"hobbit"* AND "near"*');
  assert.equal(fts5Match(['hobbit'], ['title', 'authorName']), '{title authorName} : ("hobbit"*)');
  assert.equal(fts5Match(['a"b']), '"a""b"*');
  assert.equal(booleanModeMatch(['hobbit', 'tolkien']), '+hobbit* +tolkien*');
  assert.throws(() => booleanModeMatch(['-x']), /letters/);
});

test("an author's search name is their full name", () => {
  assert.equal(authorSearchName({ firstName: 'J. R. R.', lastName: 'Tolkien' }), 'J. R. R. Tolkien');
  assert.equal(authorSearchName({ firstName: '', lastName: 'Homer' }), 'Homer');
});
