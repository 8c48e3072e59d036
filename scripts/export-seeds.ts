/** Writes db/author_seed.sql and db/books_seed.sql from the bundled catalog (db/seed/books.json). */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../config';
import { seedBooks } from '../db/seed';
import { authorSeedSql, booksSeedSql } from '../db/seed-sql';

for (const [file, sql] of [
  ['db/author_seed.sql', authorSeedSql(seedBooks)],
  ['db/books_seed.sql', booksSeedSql(seedBooks)],
] as const) {
  writeFileSync(path.join(projectRoot, file), sql);
  console.log(`wrote ${file}`);
}
