import { createHash } from 'node:crypto';
import { RateLimiterMemory, RateLimiterMySQL, RateLimiterRes, type IRateLimiterOptions, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Database } from '../db/connection';
import type { Config } from '../config';
import { TooManyRequestsError } from '../lib/errors';

const FIFTEEN_MINUTES = 15 * 60;
const ONE_HOUR = 60 * 60;
/**
 * One account from every address together may fail this many times more than from one address: a
 * slow, spread-out guessing campaign is stopped too, but a stranger cannot lock the owner out with
 * a handful of wrong passwords.
 */
const ACCOUNT_WIDE_FACTOR = 10;

/** How many failures (or sign-ups) each key may have in its window before it must wait (see config.ts). */
export type AuthLimits = Config['authLimits'];

/**
 * On MySQL the counters live in the shared RateLimits table, so every PM2 worker and every host sees
 * the same count. SQLite deployments count in each process's memory.
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

const waitSeconds = (refusal: RateLimiterRes) => Math.max(1, Math.ceil(refusal.msBeforeNext / 1000));

export function createLoginThrottle(db: Database, limits: AuthLimits) {
  const byAccountFromAddress = limiter(db, { keyPrefix: 'login_pair', points: limits.failuresPerAccount, duration: FIFTEEN_MINUTES });
  const byAccount = limiter(db, { keyPrefix: 'login_account', points: limits.failuresPerAccount * ACCOUNT_WIDE_FACTOR, duration: FIFTEEN_MINUTES });
  const byAddress = limiter(db, { keyPrefix: 'login_address', points: limits.failuresPerAddress, duration: FIFTEEN_MINUTES });
  const signUps = limiter(db, { keyPrefix: 'register_address', points: limits.signUpsPerAddress, duration: ONE_HOUR });

  return {
    /**
     * Counts a sign-in attempt *before* the password is checked, so parallel guesses cannot all slip
     * in under the limit; throws 429 once the address, the account from this address, or the
     * account as a whole has used up its attempts. A successful sign-in gives its attempt back.
     */
    async beginAttempt(address: string, email: string): Promise<void> {
      const account = accountKey(email);
      try {
        await byAddress.consume(address, 1);
        await byAccountFromAddress.consume(`${account}:${address}`, 1);
        await byAccount.consume(account, 1);
      } catch (error) {
        if (!(error instanceof RateLimiterRes)) throw error;
        const wait = waitSeconds(error);
        throw new TooManyRequestsError(`Too many failed sign-in attempts. Please wait ${minutes(wait)} and try again.`, wait);
      }
    },

    /** The attempt was right: it does not count against the address, and the account's slate is wiped. */
    async recordSuccess(address: string, email: string): Promise<void> {
      const account = accountKey(email);
      await Promise.all([
        byAddress.reward(address, 1),
        byAccountFromAddress.delete(`${account}:${address}`),
        byAccount.reward(account, 1),
      ]);
    },

    /** Counts one sign-up from this address; throws 429 past the hourly limit. */
    async consumeRegistration(address: string): Promise<void> {
      try {
        await signUps.consume(address, 1);
      } catch (error) {
        if (!(error instanceof RateLimiterRes)) throw error;
        const wait = waitSeconds(error);
        throw new TooManyRequestsError(`Too many new accounts from your network. Please wait ${minutes(wait)} and try again.`, wait);
      }
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
