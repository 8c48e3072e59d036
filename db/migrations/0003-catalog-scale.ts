import { DataTypes, type QueryInterface } from 'sequelize';

type IndexField = string | { name: string; order: 'ASC' | 'DESC' };
interface IndexSpec { name: string; fields: IndexField[] }

const desc = (name: string) => ({ name, order: 'DESC' as const });

/**
 * Every listing order the store offers (see SORTS in services/catalog.ts), for the whole store and
 * within one category, led by removedAt so "listed books only" is part of the index walk. The DESC
 * columns serve the mixed orders (price high to low, then title A–Z) that an all-ascending index
 * cannot; each index read backwards also serves the reversed order used for the far half of a list.
 */
const BOOK_INDEXES: IndexSpec[] = [
  { name: 'books_listed_title', fields: ['removedAt', 'title'] },
  { name: 'books_listed_price', fields: ['removedAt', 'price', 'title'] },
  { name: 'books_listed_price_desc', fields: ['removedAt', desc('price'), 'title'] },
  { name: 'books_listed_year', fields: ['removedAt', 'pubYear', 'title'] },
  { name: 'books_listed_year_desc', fields: ['removedAt', desc('pubYear'), 'title'] },
  { name: 'books_genre_listed_title', fields: ['genre', 'removedAt', 'title'] },
  { name: 'books_genre_listed_price', fields: ['genre', 'removedAt', 'price', 'title'] },
  { name: 'books_genre_listed_price_desc', fields: ['genre', 'removedAt', desc('price'), 'title'] },
  { name: 'books_genre_listed_year', fields: ['genre', 'removedAt', 'pubYear', 'title'] },
  { name: 'books_genre_listed_year_desc', fields: ['genre', 'removedAt', desc('pubYear'), 'title'] },
  // The category list with its counts (every page's menu): listed books already grouped by genre.
  { name: 'books_listed_genre', fields: ['removedAt', 'genre'] },
  // The home page's newest books of a category: pubYear then id (the row id every index ends with),
  // read from the newest end until two in stock and listed turn up.
  { name: 'books_genre_newest', fields: ['genre', 'pubYear'] },
  // The admin list of every book, hidden ones too, by title.
  { name: 'books_title', fields: ['title'] },
  // The dashboard's low stock, emptiest first then by title, without sorting every nearly-gone book.
  { name: 'books_stock_title', fields: ['inventory', 'title'] },
  // The dashboard's best sellers: the top of this index, no scan of the order lines.
  { name: 'books_best_sellers', fields: [desc('copiesSold'), desc('salesRevenue')] },
];

/** Indexes the ones above make redundant (books_genre_year is books_genre_newest by another name). */
const REPLACED = ['books_genre_title', 'books_genre_year', 'books_inventory'];

async function indexNames(qi: QueryInterface, table: string): Promise<Set<string>> {
  return new Set(((await qi.showIndex(table)) as Array<{ name: string }>).map((i) => i.name));
}

/**
 * Catalog scale: sales rollups kept in step with orders (per book on Books, per UTC day and status
 * in DailySales), so the dashboard and the order list never add up every order, and the indexes
 * that let every listing page read only the rows it shows. Like 0001 and 0002, every step checks
 * first, so a database built from db/schema.sql is left as it is.
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  const books = await qi.describeTable('Books');
  // Copies sold and the money they brought, over orders not cancelled, at the prices they were sold at.
  if (!('copiesSold' in books)) await qi.addColumn('Books', 'copiesSold', { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 });
  if (!('salesRevenue' in books)) {
    await qi.addColumn('Books', 'salesRevenue', { type: DataTypes.DECIMAL(12, 2), allowNull: false, defaultValue: '0.00' });
  }

  const existing = await indexNames(qi, 'Books');
  for (const index of BOOK_INDEXES) {
    if (!existing.has(index.name)) await qi.addIndex('Books', { name: index.name, fields: index.fields });
  }
  for (const name of REPLACED) if (existing.has(name)) await qi.removeIndex('Books', name);

  if (!(await qi.tableExists('DailySales'))) {
    await qi.createTable('DailySales', {
      // The UTC day the orders were placed, YYYY-MM-DD: the same text on both databases.
      day: { type: DataTypes.STRING(10), primaryKey: true, allowNull: false },
      status: { type: DataTypes.STRING(16), primaryKey: true, allowNull: false },
      orders: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      revenue: { type: DataTypes.DECIMAL(14, 2), allowNull: false, defaultValue: '0.00' },
    }, { charset: 'utf8mb4', collate: 'utf8mb4_unicode_ci', engine: 'InnoDB' });
  }
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable('DailySales');
  const existing = await indexNames(qi, 'Books');
  await qi.addIndex('Books', ['genre', 'title'], { name: 'books_genre_title' });
  await qi.addIndex('Books', ['genre', 'pubYear'], { name: 'books_genre_year' });
  await qi.addIndex('Books', ['inventory'], { name: 'books_inventory' });
  for (const index of BOOK_INDEXES) if (existing.has(index.name)) await qi.removeIndex('Books', index.name);
  await qi.removeColumn('Books', 'salesRevenue');
  await qi.removeColumn('Books', 'copiesSold');
}
