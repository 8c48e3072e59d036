import type { Database } from '../db/connection';
import type { Config } from '../config';
import { cachedCatalog, createStampReader } from './catalog-cache';
import { createPageCache } from './page-cache';
import { createStockReader } from './stock-counts';
import { createCartService } from './cart';
import { createCheckoutService } from './checkout';
import { createAccountService } from './accounts';
import { createLoginThrottle } from './login-throttle';
import { createAdminServices } from './admin';

export function createServices(db: Database, config: Pick<Config, 'authLimits' | 'passwordHashCost'>) {
  // One batched stamp read serves both caches.
  const readStamp = createStampReader(db.sequelize);
  return {
    catalog: cachedCatalog(readStamp),
    pages: createPageCache({ readStamp, readStock: createStockReader(db.sequelize) }),
    cart: createCartService(db),
    checkout: createCheckoutService(db),
    accounts: createAccountService(db, config.passwordHashCost),
    loginThrottle: createLoginThrottle(db, config.authLimits),
    admin: createAdminServices(db),
  };
}

export type Services = ReturnType<typeof createServices>;
