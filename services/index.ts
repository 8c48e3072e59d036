import type { Database } from '../db/connection';
import type { Config } from '../config';
import { cachedCatalog } from './catalog-cache';
import { createCartService } from './cart';
import { createCheckoutService } from './checkout';
import { createAccountService } from './accounts';
import { createLoginThrottle } from './login-throttle';
import { createAdminServices } from './admin';

export function createServices(db: Database, config: Pick<Config, 'authLimits' | 'passwordHashCost'>) {
  return {
    catalog: cachedCatalog(db.sequelize),
    cart: createCartService(db),
    checkout: createCheckoutService(db),
    accounts: createAccountService(db, config.passwordHashCost),
    loginThrottle: createLoginThrottle(db, config.authLimits),
    admin: createAdminServices(db),
  };
}

export type Services = ReturnType<typeof createServices>;
