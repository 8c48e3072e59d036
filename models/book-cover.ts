import {
  DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize,
} from 'sequelize';

export type CoverType = 'image/png' | 'image/jpeg' | 'image/webp';

/** An uploaded cover image. Kept in the database, not on disk, so every app host serves the same one. */
export class BookCover extends Model<InferAttributes<BookCover>, InferCreationAttributes<BookCover>> {
  declare BookId: number;
  declare mimeType: CoverType;
  declare data: Buffer;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    BookCover.init(
      {
        BookId: { type: DataTypes.INTEGER, primaryKey: true },
        mimeType: { type: DataTypes.STRING(16), allowNull: false },
        data: { type: DataTypes.BLOB('medium'), allowNull: false },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'BookCovers' },
    );
  }
}
