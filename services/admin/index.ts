import type { Database } from '../../db/connection';
import * as audit from '../audit';
import { createAdminDashboardService } from './dashboard';
import { createAdminBookService } from './books';
import { createAdminAuthorService } from './authors';
import { createAdminOrderService } from './orders';

/** The dashboard's services: each owns its part of the store and writes its changes to the audit log. */
export function createAdminServices(db: Database) {
  return {
    audit,
    dashboard: createAdminDashboardService(db),
    books: createAdminBookService(db),
    authors: createAdminAuthorService(db),
    orders: createAdminOrderService(db),
  };
}

export type AdminServices = ReturnType<typeof createAdminServices>;
