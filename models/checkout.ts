import {
  DataTypes, Model, type CreationOptional, type ForeignKey, type InferAttributes, type InferCreationAttributes,
  type NonAttribute, type Sequelize,
} from 'sequelize';
import type { Cart } from './cart';
import type { User } from './user';

export const ORDER_STATUSES = ['placed', 'shipped', 'delivered', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** A placed order: who it goes to, what it cost, and the (now frozen) cart it bought. */
export class Checkout extends Model<InferAttributes<Checkout>, InferCreationAttributes<Checkout>> {
  declare id: CreationOptional<number>;
  declare CartId: ForeignKey<number>;
  /** The account that placed it, or null for a guest order. */
  declare UserId: CreationOptional<number | null>;
  declare status: CreationOptional<OrderStatus>;
  declare fullName: string;
  declare email: string;
  declare addressLine1: string;
  declare addressLine2: string | null;
  declare city: string;
  declare state: string;
  declare zipCode: string;
  declare subTotal: string | number;
  declare Cart?: NonAttribute<Cart>;
  declare User?: NonAttribute<User | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    Checkout.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        fullName: { type: DataTypes.STRING(120), allowNull: false },
        email: { type: DataTypes.STRING(254), allowNull: false },
        addressLine1: { type: DataTypes.STRING(120), allowNull: false },
        addressLine2: { type: DataTypes.STRING(120), allowNull: true },
        city: { type: DataTypes.STRING(80), allowNull: false },
        state: { type: DataTypes.STRING(80), allowNull: false },
        zipCode: { type: DataTypes.STRING(16), allowNull: false },
        subTotal: { type: DataTypes.DECIMAL(10, 2), allowNull: false },
        UserId: { type: DataTypes.INTEGER, allowNull: true },
        status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'placed' },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'Checkouts' },
    );
  }
}
