import type { Database } from '../db/connection';
import * as catalog from './catalog';
import { createCartService } from './cart';
import { createCheckoutService } from './checkout';
import { createAccountService } from './accounts';
import { createLoginThrottle } from './login-throttle';
import { createAdminServices } from './admin';

export function createServices(db: Database) {
  return {
    catalog,
    cart: createCartService(db),
    checkout: createCheckoutService(db),
    accounts: createAccountService(db),
    loginThrottle: createLoginThrottle(db),
    admin: createAdminServices(db),
  };
}

export type Services = ReturnType<typeof createServices>;
