import type { Database } from '../../db/connection';

export function createAdminAuthorService(db: Database) {
  void db;
  return {};
}
