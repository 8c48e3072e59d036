import type { Sequelize } from 'sequelize';
import { Author } from './author';
import { Book } from './book';
import { Cart } from './cart';
import { Cartbook } from './cartbook';
import { Checkout } from './checkout';
import { User } from './user';
import { BookCover } from './book-cover';
import { AuditLog } from './audit-log';

export { Author, Book, Cart, Cartbook, Checkout, User, BookCover, AuditLog };

/** Binds every model to this connection and wires the associations. */
export function initModels(sequelize: Sequelize): void {
  Author.initModel(sequelize);
  Book.initModel(sequelize);
  Cart.initModel(sequelize);
  Cartbook.initModel(sequelize);
  Checkout.initModel(sequelize);
  User.initModel(sequelize);
  BookCover.initModel(sequelize);
  AuditLog.initModel(sequelize);

  Author.hasMany(Book, { foreignKey: 'AuthorId' });
  Book.belongsTo(Author, { foreignKey: 'AuthorId' });

  Cart.hasMany(Cartbook, { foreignKey: 'CartId' });
  Cartbook.belongsTo(Cart, { foreignKey: 'CartId' });
  Book.hasMany(Cartbook, { foreignKey: 'BookId' });
  Cartbook.belongsTo(Book, { foreignKey: 'BookId' });
  Book.belongsToMany(Cart, { through: Cartbook, foreignKey: 'BookId', otherKey: 'CartId' });
  Cart.belongsToMany(Book, { through: Cartbook, foreignKey: 'CartId', otherKey: 'BookId' });

  Cart.hasOne(Checkout, { foreignKey: 'CartId' });
  Checkout.belongsTo(Cart, { foreignKey: 'CartId' });

  User.hasMany(Checkout, { foreignKey: 'UserId' });
  Checkout.belongsTo(User, { foreignKey: 'UserId' });
  Book.hasOne(BookCover, { foreignKey: 'BookId' });
  BookCover.belongsTo(Book, { foreignKey: 'BookId' });
  User.hasMany(AuditLog, { foreignKey: 'UserId' });
  AuditLog.belongsTo(User, { foreignKey: 'UserId' });
}
