import {
  DataTypes, Model, type CreationOptional, type ForeignKey, type InferAttributes, type InferCreationAttributes,
  type NonAttribute, type Sequelize,
} from 'sequelize';
import type { Author } from './author';

export class Book extends Model<InferAttributes<Book>, InferCreationAttributes<Book>> {
  declare id: CreationOptional<number>;
  declare title: string;
  declare genre: string;
  declare pubYear: number | null;
  /** DECIMAL(10,2): a string from MySQL, a number from SQLite. Read it with toCents(). */
  declare price: string | number;
  declare inventory: number;
  declare bookDescription: string | null;
  /** Set when an admin removes a book that past orders still point at: hidden from the store, kept for history. */
  declare removedAt: CreationOptional<Date | null>;
  /** The MIME type of an uploaded cover, or null for the generated one. */
  declare coverType: CreationOptional<string | null>;
  /** Copies sold over orders not cancelled: kept by checkout and cancellation, read by the dashboard. */
  declare copiesSold: CreationOptional<number>;
  /** What those copies brought, at the prices they were sold at. DECIMAL(12,2), like price. */
  declare salesRevenue: CreationOptional<string | number>;
  /** A copy of the author's name for the full-text index (lib/search-text's authorSearchName). */
  declare authorName: string;
  declare AuthorId: ForeignKey<number>;
  declare Author?: NonAttribute<Author>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    Book.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        title: { type: DataTypes.STRING(255), allowNull: false },
        genre: { type: DataTypes.STRING(60), allowNull: false },
        pubYear: { type: DataTypes.INTEGER, allowNull: true },
        price: { type: DataTypes.DECIMAL(10, 2), allowNull: false },
        inventory: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        bookDescription: { type: DataTypes.TEXT, allowNull: true },
        removedAt: { type: DataTypes.DATE, allowNull: true },
        coverType: { type: DataTypes.STRING(16), allowNull: true },
        copiesSold: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        salesRevenue: { type: DataTypes.DECIMAL(12, 2), allowNull: false, defaultValue: '0.00' },
        // Required here though nullable in the table, so a book saved without it fails loudly.
        authorName: { type: DataTypes.STRING(201), allowNull: false },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'Books' },
    );
  }
}
