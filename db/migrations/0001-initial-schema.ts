import { DataTypes, type QueryInterface } from 'sequelize';

const timestamps = {
  createdAt: { type: DataTypes.DATE, allowNull: false },
  updatedAt: { type: DataTypes.DATE, allowNull: false },
};
const id = { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true, allowNull: false };

/** A required INTEGER column pointing at `table`.id; ids never change, but if one did it would follow. */
const references = (table: string, onDelete: 'CASCADE' | 'RESTRICT') => ({
  type: DataTypes.INTEGER,
  allowNull: false,
  references: { model: table, key: 'id' },
  onUpdate: 'CASCADE',
  onDelete,
});

/**
 * Creates each table only when it is missing, so the app also starts on a database an operator
 * built by hand from db/schema.sql.
 */
async function createIfMissing(
  qi: QueryInterface,
  table: string,
  columns: Parameters<QueryInterface['createTable']>[1],
  indexes: Array<{ fields: string[]; unique?: boolean; name: string }> = [],
): Promise<void> {
  if (await qi.tableExists(table)) return;
  await qi.createTable(table, columns, { charset: 'utf8mb4', collate: 'utf8mb4_unicode_ci', engine: 'InnoDB' });
  for (const index of indexes) await qi.addIndex(table, index.fields, { name: index.name, unique: index.unique });
}

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await createIfMissing(qi, 'Authors', {
    id,
    firstName: { type: DataTypes.STRING(100), allowNull: false },
    lastName: { type: DataTypes.STRING(100), allowNull: false },
    ...timestamps,
  }, [{ name: 'authors_name_unique', fields: ['lastName', 'firstName'], unique: true }]);

  await createIfMissing(qi, 'Books', {
    id,
    title: { type: DataTypes.STRING(255), allowNull: false },
    genre: { type: DataTypes.STRING(60), allowNull: false },
    pubYear: { type: DataTypes.INTEGER, allowNull: true },
    price: { type: DataTypes.DECIMAL(10, 2), allowNull: false },
    inventory: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    bookDescription: { type: DataTypes.TEXT, allowNull: true },
    AuthorId: references('Authors', 'RESTRICT'),
    ...timestamps,
  }, [
    { name: 'books_title_author_unique', fields: ['title', 'AuthorId'], unique: true },
    { name: 'books_genre_title', fields: ['genre', 'title'] },
    { name: 'books_genre_year', fields: ['genre', 'pubYear'] },
    { name: 'books_author', fields: ['AuthorId'] },
  ]);

  await createIfMissing(qi, 'Carts', {
    id,
    ownerKey: { type: DataTypes.STRING(64), allowNull: false },
    status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'open' },
    totalQuantity: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    totalPrice: { type: DataTypes.DECIMAL(10, 2), allowNull: false, defaultValue: '0.00' },
    ...timestamps,
  }, [{ name: 'carts_owner_status', fields: ['ownerKey', 'status'] }]);

  await createIfMissing(qi, 'Cartbooks', {
    id,
    CartId: references('Carts', 'CASCADE'),
    BookId: references('Books', 'RESTRICT'),
    quantity: { type: DataTypes.INTEGER, allowNull: false },
    unitPrice: { type: DataTypes.DECIMAL(10, 2), allowNull: false },
    ...timestamps,
  }, [
    { name: 'cartbooks_cart_book_unique', fields: ['CartId', 'BookId'], unique: true },
    { name: 'cartbooks_book', fields: ['BookId'] },
  ]);

  await createIfMissing(qi, 'Checkouts', {
    id,
    CartId: references('Carts', 'RESTRICT'),
    fullName: { type: DataTypes.STRING(120), allowNull: false },
    email: { type: DataTypes.STRING(254), allowNull: false },
    addressLine1: { type: DataTypes.STRING(120), allowNull: false },
    addressLine2: { type: DataTypes.STRING(120), allowNull: true },
    city: { type: DataTypes.STRING(80), allowNull: false },
    state: { type: DataTypes.STRING(80), allowNull: false },
    zipCode: { type: DataTypes.STRING(16), allowNull: false },
    subTotal: { type: DataTypes.DECIMAL(10, 2), allowNull: false },
    ...timestamps,
  }, [
    { name: 'checkouts_cart_unique', fields: ['CartId'], unique: true },
    { name: 'checkouts_created', fields: ['createdAt'] },
  ]);

  // The table connect-session-sequelize reads and writes (its default model), owned by our migrations.
  await createIfMissing(qi, 'Sessions', {
    sid: { type: DataTypes.STRING(36), primaryKey: true, allowNull: false },
    expires: { type: DataTypes.DATE, allowNull: true },
    data: { type: DataTypes.TEXT, allowNull: true },
    ...timestamps,
  }, [{ name: 'sessions_expires', fields: ['expires'] }]);
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  for (const table of ['Sessions', 'Checkouts', 'Cartbooks', 'Carts', 'Books', 'Authors']) {
    await qi.dropTable(table);
  }
}
