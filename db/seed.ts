import type { Database } from './connection';
import { Author, Book } from '../models';
import { bumpCatalogStamp } from '../services/catalog-cache';
import catalog from './seed/books.json';
import { authorSearchName } from '../lib/search-text';

export interface SeedBook {
  title: string;
  authorFirstName: string;
  authorLastName: string;
  genre: string;
  pubYear: number;
  price: string;
  inventory: number;
  description: string;
}

export const seedBooks: readonly SeedBook[] = catalog;

/** Loads the bundled catalog into an empty store; a store that has any book is left alone. */
export async function seedCatalogIfEmpty(db: Database): Promise<{ authors: number; books: number } | null> {
  if ((await Book.count()) > 0) return null;
  return db.writeTransaction(async (transaction) => {
    const authorIds = new Map<string, number>();
    for (const row of seedBooks) {
      const key = `${row.authorFirstName}\u0000${row.authorLastName}`;
      if (authorIds.has(key)) continue;
      const [author] = await Author.findOrCreate({
        where: { firstName: row.authorFirstName, lastName: row.authorLastName },
        transaction,
      });
      authorIds.set(key, author.id);
    }
    await Book.bulkCreate(
      seedBooks.map((row) => ({
        title: row.title,
        genre: row.genre,
        pubYear: row.pubYear,
        price: row.price,
        inventory: row.inventory,
        bookDescription: row.description,
        AuthorId: authorIds.get(`${row.authorFirstName}\u0000${row.authorLastName}`)!,
        authorName: authorSearchName({ firstName: row.authorFirstName, lastName: row.authorLastName }),
      })),
      { transaction },
    );
    // Another worker may already have cached the empty store.
    await bumpCatalogStamp(transaction);
    return { authors: authorIds.size, books: seedBooks.length };
  });
}
