import { DataTypes, type QueryInterface } from 'sequelize';

const timestamps = {
  createdAt: { type: DataTypes.DATE, allowNull: false },
  updatedAt: { type: DataTypes.DATE, allowNull: false },
};
const id = { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true, allowNull: false };
const tableOptions = { charset: 'utf8mb4', collate: 'utf8mb4_unicode_ci', engine: 'InnoDB' };

/** An optional link to a user that outlives the user: orders and audit entries stay when an account goes. */
const userLink = {
  type: DataTypes.INTEGER,
  allowNull: true,
  references: { model: 'Users', key: 'id' },
  onUpdate: 'CASCADE',
  onDelete: 'SET NULL',
};

async function addColumnIfMissing(qi: QueryInterface, table: string, column: string, spec: Parameters<QueryInterface['addColumn']>[2]) {
  const existing = await qi.describeTable(table);
  if (!(column in existing)) await qi.addColumn(table, column, spec);
}

async function addIndexIfMissing(qi: QueryInterface, table: string, name: string, fields: string[], unique = false) {
  const indexes = (await qi.showIndex(table)) as Array<{ name: string }>;
  if (!indexes.some((i) => i.name === name)) await qi.addIndex(table, fields, { name, unique });
}

/**
 * Accounts, order status, hidden books, uploaded covers and the admin audit log. Like 0001, every
 * step checks first, so a database built by hand from db/schema.sql is left as it is.
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  if (!(await qi.tableExists('Users'))) {
    await qi.createTable('Users', {
      id,
      name: { type: DataTypes.STRING(100), allowNull: false },
      email: { type: DataTypes.STRING(254), allowNull: false },
      passwordHash: { type: DataTypes.STRING(255), allowNull: false },
      role: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'shopper' },
      cartKey: { type: DataTypes.STRING(64), allowNull: false },
      ...timestamps,
    }, tableOptions);
    await qi.addIndex('Users', ['email'], { name: 'users_email_unique', unique: true });
  }

  await addColumnIfMissing(qi, 'Checkouts', 'UserId', userLink);
  await addColumnIfMissing(qi, 'Checkouts', 'status', { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'placed' });
  await addIndexIfMissing(qi, 'Checkouts', 'checkouts_user_created', ['UserId', 'createdAt']);
  await addIndexIfMissing(qi, 'Checkouts', 'checkouts_status_created', ['status', 'createdAt']);

  await addColumnIfMissing(qi, 'Books', 'removedAt', { type: DataTypes.DATE, allowNull: true });
  await addColumnIfMissing(qi, 'Books', 'coverType', { type: DataTypes.STRING(16), allowNull: true });
  await addIndexIfMissing(qi, 'Books', 'books_inventory', ['inventory']);

  if (!(await qi.tableExists('BookCovers'))) {
    await qi.createTable('BookCovers', {
      BookId: {
        type: DataTypes.INTEGER,
        primaryKey: true,
        allowNull: false,
        references: { model: 'Books', key: 'id' },
        onUpdate: 'CASCADE',
        onDelete: 'CASCADE',
      },
      mimeType: { type: DataTypes.STRING(16), allowNull: false },
      // MEDIUMBLOB on MySQL (up to 16 MB); a plain BLOB on SQLite.
      data: { type: DataTypes.BLOB('medium'), allowNull: false },
      ...timestamps,
    }, tableOptions);
  }

  if (!(await qi.tableExists('AuditLogs'))) {
    await qi.createTable('AuditLogs', {
      id,
      UserId: userLink,
      actorEmail: { type: DataTypes.STRING(254), allowNull: false },
      action: { type: DataTypes.STRING(40), allowNull: false },
      entityType: { type: DataTypes.STRING(20), allowNull: false },
      entityId: { type: DataTypes.INTEGER, allowNull: true },
      summary: { type: DataTypes.STRING(500), allowNull: false },
      details: { type: DataTypes.TEXT, allowNull: true },
      createdAt: { type: DataTypes.DATE, allowNull: false },
    }, tableOptions);
    await qi.addIndex('AuditLogs', ['createdAt'], { name: 'audit_logs_created' });
    await qi.addIndex('AuditLogs', ['entityType', 'entityId'], { name: 'audit_logs_entity' });
    // The audit page filtered by kind, newest first.
    await qi.addIndex('AuditLogs', ['entityType', 'createdAt'], { name: 'audit_logs_type_created' });
  }

  // The login rate limiter's shared counters on MySQL, in the layout rate-limiter-flexible reads and
  // writes (RateLimiterMySQL). SQLite deployments are single-host and count in memory instead.
  if (qi.sequelize.getDialect() === 'mysql' && !(await qi.tableExists('RateLimits'))) {
    await qi.createTable('RateLimits', {
      key: { type: DataTypes.STRING(255), primaryKey: true, allowNull: false },
      points: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      expire: { type: DataTypes.BIGINT({ unsigned: true }), allowNull: true },
    }, tableOptions);
  }
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  if (await qi.tableExists('RateLimits')) await qi.dropTable('RateLimits');
  await qi.dropTable('AuditLogs');
  await qi.dropTable('BookCovers');
  await qi.removeIndex('Books', 'books_inventory');
  await qi.removeColumn('Books', 'coverType');
  await qi.removeColumn('Books', 'removedAt');
  await qi.removeIndex('Checkouts', 'checkouts_status_created');
  await qi.removeIndex('Checkouts', 'checkouts_user_created');
  await qi.removeColumn('Checkouts', 'status');
  await qi.removeColumn('Checkouts', 'UserId');
  await qi.dropTable('Users');
}
