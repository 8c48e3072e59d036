import type { Database } from '../db/connection';
import * as catalog from './catalog';
import { createCartService } from './cart';
import { createCheckoutService } from './checkout';

export function createServices(db: Database) {
  return {
    catalog,
    cart: createCartService(db),
    checkout: createCheckoutService(db),
  };
}

export type Services = ReturnType<typeof createServices>;
