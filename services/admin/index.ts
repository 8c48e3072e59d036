import type { Database } from '../../db/connection';
import * as audit from '../audit';

/** The dashboard's services: each owns its part of the store and writes its changes to the audit log. */
export function createAdminServices(db: Database) {
  void db;
  return {
    audit,
  };
}

export type AdminServices = ReturnType<typeof createAdminServices>;
