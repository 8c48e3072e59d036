import {
  DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize,
} from 'sequelize';

/** One change an admin made: who, what, when. Written in the same transaction as the change itself. */
export class AuditLog extends Model<InferAttributes<AuditLog>, InferCreationAttributes<AuditLog>> {
  declare id: CreationOptional<number>;
  declare UserId: number | null;
  /** Kept as text so the entry still says who it was if the account is later removed. */
  declare actorEmail: string;
  declare action: string;
  declare entityType: string;
  declare entityId: number | null;
  declare summary: string;
  /** JSON: the values before and after, or the reason given. */
  declare details: string | null;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    AuditLog.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        UserId: { type: DataTypes.INTEGER, allowNull: true },
        actorEmail: { type: DataTypes.STRING(254), allowNull: false },
        action: { type: DataTypes.STRING(40), allowNull: false },
        entityType: { type: DataTypes.STRING(20), allowNull: false },
        entityId: { type: DataTypes.INTEGER, allowNull: true },
        summary: { type: DataTypes.STRING(500), allowNull: false },
        details: { type: DataTypes.TEXT, allowNull: true },
        createdAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'AuditLogs', updatedAt: false },
    );
  }
}
