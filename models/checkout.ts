import {
  DataTypes, Model, type CreationOptional, type ForeignKey, type InferAttributes, type InferCreationAttributes,
  type NonAttribute, type Sequelize,
} from 'sequelize';
import type { Cart } from './cart';

/** A placed order: who it goes to, what it cost, and the (now frozen) cart it bought. */
export class Checkout extends Model<InferAttributes<Checkout>, InferCreationAttributes<Checkout>> {
  declare id: CreationOptional<number>;
  declare CartId: ForeignKey<number>;
  declare fullName: string;
  declare email: string;
  declare addressLine1: string;
  declare addressLine2: string | null;
  declare city: string;
  declare state: string;
  declare zipCode: string;
  declare subTotal: string | number;
  declare Cart?: NonAttribute<Cart>;
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
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'Checkouts' },
    );
  }
}
