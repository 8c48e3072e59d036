import {
  DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type NonAttribute,
  type Sequelize,
} from 'sequelize';
import type { Cartbook } from './cartbook';

export type CartStatus = 'open' | 'ordered';

/**
 * A shopper's cart. `ownerKey` is the random visitor key kept in that shopper's session, so a cart
 * can only ever be reached from its own session. Totals are kept in step with the lines by the cart
 * service (the header badge reads them on every page).
 */
export class Cart extends Model<InferAttributes<Cart>, InferCreationAttributes<Cart>> {
  declare id: CreationOptional<number>;
  declare ownerKey: string;
  declare status: CreationOptional<CartStatus>;
  declare totalQuantity: CreationOptional<number>;
  declare totalPrice: CreationOptional<string | number>;
  declare Cartbooks?: NonAttribute<Cartbook[]>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    Cart.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        ownerKey: { type: DataTypes.STRING(64), allowNull: false },
        status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'open' },
        totalQuantity: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        totalPrice: { type: DataTypes.DECIMAL(10, 2), allowNull: false, defaultValue: '0.00' },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'Carts' },
    );
  }
}
