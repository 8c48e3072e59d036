import type { Database } from '../../db/connection';

export function createAdminDashboardService(db: Database) {
  void db;
  return {};
}
