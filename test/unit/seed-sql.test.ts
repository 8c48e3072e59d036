import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../config';
import { seedBooks } from '../../db/seed';
import { authorSeedSql, booksSeedSql, sqlString } from '../../db/seed-sql';

describe('SQL seed files', () => {
  // The .sql files are generated from the same JSON the app seeds SQLite with; this fails when they drift.
  test('db/author_seed.sql and db/books_seed.sql match the bundled catalog (run npm run db:export-seeds)', () => {
    assert.equal(readFileSync(path.join(projectRoot, 'db/author_seed.sql'), 'utf8'), authorSeedSql(seedBooks));
    assert.equal(readFileSync(path.join(projectRoot, 'db/books_seed.sql'), 'utf8'), booksSeedSql(seedBooks));
  });

  test('the catalog has 54 books by 53 authors in 6 genres, with exact prices', () => {
    assert.equal(seedBooks.length, 54);
    assert.equal(new Set(seedBooks.map((b) => `${b.authorFirstName} ${b.authorLastName}`)).size, 53);
    assert.equal(new Set(seedBooks.map((b) => b.genre)).size, 6);
    assert.ok(booksSeedSql(seedBooks).includes(", 32.50, 7,"), 'The Room Where It Happened keeps 32.50');
    for (const b of seedBooks) assert.ok(b.description.length > 40, `${b.title} has a description`);
  });

  test('string literals escape quotes and backslashes', () => {
    assert.equal(sqlString("Charlotte's Web"), "'Charlotte''s Web'");
    assert.equal(sqlString('a\\b'), "'a\\\\b'");
    assert.equal(sqlString("x'; DROP TABLE Books; --"), "'x''; DROP TABLE Books; --'");
    assert.equal(sqlString('line\nbreak'), "'line\\nbreak'");
  });

  test('refuses a price that is not exact decimal text', () => {
    assert.throws(() => booksSeedSql([{ ...seedBooks[0], price: '32.5' }]), /decimal text/);
  });
});
