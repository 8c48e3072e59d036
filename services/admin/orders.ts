import type { Database } from '../../db/connection';

export function createAdminOrderService(db: Database) {
  void db;
  return {};
}
