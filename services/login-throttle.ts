import { createHash } from 'node:crypto';
import { RateLimiterMemory, RateLimiterMySQL, RateLimiterRes, type IRateLimiterOptions, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Database } from '../db/connection';
import type { Config } from '../config';
import { TooManyRequestsError } from '../lib/errors';

const FIFTEEN_MINUTES = 15 * 60;
const ONE_HOUR = 60 * 60;

/** How many failures (or sign-ups) each key may have in its window before it must wait (see config.ts). */
export type AuthLimits = Config['authLimits'];

/**
 * On MySQL the counters live in the shared RateLimits table, so every PM2 worker and every host sees
 * the same count. SQLite deployments run on one host, and count in memory.
 */
function limiter(db: Database, options: IRateLimiterOptions): RateLimiterAbstract {
  if (db.dialect === 'mysql') {
    return new RateLimiterMySQL({
      ...options,
      storeClient: db.sequelize,
      storeType: 'sequelize',
      dbName: db.sequelize.config.database,
      tableName: 'RateLimits',
      tableCreated: true,
    });
  }
  return new RateLimiterMemory(options);
}

/** Email addresses are kept out of the counters table. */
const accountKey = (email: string) => createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 32);

function minutes(seconds: number): string {
  const m = Math.max(1, Math.ceil(seconds / 60));
  return `${m} ${m === 1 ? 'minute' : 'minutes'}`;
}

export function createLoginThrottle(db: Database, limits: AuthLimits) {
  const byAccount = limiter(db, { keyPrefix: 'login_account', points: limits.failuresPerAccount, duration: FIFTEEN_MINUTES });
  const byAddress = limiter(db, { keyPrefix: 'login_address', points: limits.failuresPerAddress, duration: FIFTEEN_MINUTES });
  const signUps = limiter(db, { keyPrefix: 'register_address', points: limits.signUpsPerAddress, duration: ONE_HOUR });

  async function blockedFor(rl: RateLimiterAbstract, key: string, points: number): Promise<number> {
    const state = await rl.get(key);
    return state && state.consumedPoints >= points ? Math.ceil(state.msBeforeNext / 1000) : 0;
  }

  return {
    /** Throws 429 when this address or this account has failed too often lately. */
    async assertCanTry(address: string, email: string): Promise<void> {
      const wait = Math.max(
        await blockedFor(byAddress, address, limits.failuresPerAddress),
        await blockedFor(byAccount, accountKey(email), limits.failuresPerAccount),
      );
      if (wait > 0) {
        throw new TooManyRequestsError(`Too many failed sign-in attempts. Please wait ${minutes(wait)} and try again.`, wait);
      }
    },

    async recordFailure(address: string, email: string): Promise<void> {
      // A rejected consume only means the key is already over its limit; the next try is refused by assertCanTry.
      await Promise.all([
        byAddress.penalty(address, 1),
        byAccount.penalty(accountKey(email), 1),
      ]);
    },

    /** A successful sign-in clears that account's failures (the address's stay, so one success cannot unlock a spray). */
    async recordSuccess(email: string): Promise<void> {
      await byAccount.delete(accountKey(email));
    },

    /** Counts one sign-up from this address; throws 429 past the hourly limit. */
    async consumeRegistration(address: string): Promise<void> {
      try {
        await signUps.consume(address, 1);
      } catch (error) {
        if (!(error instanceof RateLimiterRes)) throw error;
        const wait = Math.ceil(error.msBeforeNext / 1000);
        throw new TooManyRequestsError(`Too many new accounts from your network. Please wait ${minutes(wait)} and try again.`, wait);
      }
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
