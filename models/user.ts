import {
  DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize,
} from 'sequelize';

export type Role = 'shopper' | 'admin';

/**
 * A shopper's or admin's account. `cartKey` is the owner key of the account's carts: at sign-in the
 * session's visitor key becomes this key, so the account's cart follows it from device to device.
 */
export class User extends Model<InferAttributes<User>, InferCreationAttributes<User>> {
  declare id: CreationOptional<number>;
  declare name: string;
  /** Stored lower-cased, so sign-in is case-insensitive on every database. */
  declare email: string;
  declare passwordHash: string;
  declare role: CreationOptional<Role>;
  declare cartKey: string;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    User.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        name: { type: DataTypes.STRING(100), allowNull: false },
        email: { type: DataTypes.STRING(254), allowNull: false, unique: 'users_email_unique' },
        passwordHash: { type: DataTypes.STRING(255), allowNull: false },
        role: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'shopper' },
        cartKey: { type: DataTypes.STRING(64), allowNull: false },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'Users' },
    );
  }
}
