import type { Database } from '../../db/connection';

export function createAdminBookService(db: Database) {
  void db;
  return {};
}
