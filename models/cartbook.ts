import {
  DataTypes, Model, type CreationOptional, type ForeignKey, type InferAttributes, type InferCreationAttributes,
  type NonAttribute, type Sequelize,
} from 'sequelize';
import type { Book } from './book';
import type { Cart } from './cart';

/** One book in one cart: the junction of Book and Cart, with its quantity and unit price. */
export class Cartbook extends Model<InferAttributes<Cartbook>, InferCreationAttributes<Cartbook>> {
  declare id: CreationOptional<number>;
  declare CartId: ForeignKey<number>;
  declare BookId: ForeignKey<number>;
  declare quantity: number;
  /** The price when the line was last changed; frozen at checkout as the order's price. */
  declare unitPrice: string | number;
  declare Book?: NonAttribute<Book>;
  declare Cart?: NonAttribute<Cart>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    Cartbook.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        quantity: { type: DataTypes.INTEGER, allowNull: false },
        unitPrice: { type: DataTypes.DECIMAL(10, 2), allowNull: false },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'Cartbooks' },
    );
  }
}
