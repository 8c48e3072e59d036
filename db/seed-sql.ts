import type { SeedBook } from './seed';
import { authorSearchName } from '../lib/search-text';

/**
 * The bundled catalog as plain SQL for the `mysql` client. Generated from the same data the app
 * loads into an empty store (db/seed/books.json), never edited by hand: `npm run db:export-seeds`.
 */

const HEADER = (what: string) => `-- TheEpicBook: ${what}, generated from db/seed/books.json by \`npm run db:export-seeds\`.
-- Do not edit by hand. Idempotent: rows that already exist are left exactly as they are.
-- Import after db/schema.sql (or after the app has created the tables):
--   mysql bookstore < db/author_seed.sql && mysql bookstore < db/books_seed.sql

SET NAMES utf8mb4;
`;

/** A MySQL string literal. Backslashes are doubled as well, because MySQL treats them as escapes by default. */
export function sqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "''").replace(/\0/g, '\\0').replace(/\n/g, '\\n').replace(/\r/g, '\\r')}'`;
}

function uniqueAuthors(books: readonly SeedBook[]): Array<[string, string]> {
  const seen = new Map<string, [string, string]>();
  for (const b of books) seen.set(`${b.authorFirstName}\u0000${b.authorLastName}`, [b.authorFirstName, b.authorLastName]);
  return [...seen.values()];
}

export function authorSeedSql(books: readonly SeedBook[]): string {
  const rows = uniqueAuthors(books).map(([first, last]) => `  (${sqlString(first)}, ${sqlString(last)}, NOW(), NOW())`);
  return `${HEADER(`the ${rows.length} authors of the bundled catalog`)}
INSERT INTO \`Authors\` (\`firstName\`, \`lastName\`, \`createdAt\`, \`updatedAt\`) VALUES
${rows.join(',\n')}
ON DUPLICATE KEY UPDATE \`Authors\`.\`id\` = \`Authors\`.\`id\`;
`;
}

export function booksSeedSql(books: readonly SeedBook[]): string {
  if (books.some((b) => !/^\d+\.\d{2}$/.test(b.price))) throw new Error('seed prices must be decimal text like 32.50');
  const statements = books.map((b) =>
    [
      'INSERT INTO `Books` (`title`, `genre`, `pubYear`, `price`, `inventory`, `bookDescription`, `authorName`, `AuthorId`, `createdAt`, `updatedAt`)',
      `SELECT ${sqlString(b.title)}, ${sqlString(b.genre)}, ${b.pubYear}, ${b.price}, ${b.inventory},`,
      `  ${sqlString(b.description)},`,
      // The author's name copied for the full-text index, as the app writes it (no trigger on MySQL).
      `  ${sqlString(authorSearchName({ firstName: b.authorFirstName, lastName: b.authorLastName }))},`,
      `  a.\`id\`, NOW(), NOW() FROM \`Authors\` a WHERE a.\`firstName\` = ${sqlString(b.authorFirstName)} AND a.\`lastName\` = ${sqlString(b.authorLastName)}`,
      'ON DUPLICATE KEY UPDATE `Books`.`id` = `Books`.`id`;',
    ].join('\n'),
  );
  return `${HEADER(`the ${books.length} books of the bundled catalog`)}
${statements.join('\n\n')}
`;
}
