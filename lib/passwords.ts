import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { Semaphore } from 'async-mutex';

export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}

/**
 * scrypt from node:crypto: slow and memory-hard, with no native add-on to build. N=2^15, r=8, p=3 is
 * one of OWASP's equivalent settings: 32 MiB per hash rather than N=2^17's 128 MiB, which matters on
 * a small host. The parameters are stored with each hash, so they can be raised later and old
 * hashes still verify.
 */
export const PRODUCTION_COST: ScryptCost = { N: 2 ** 15, r: 8, p: 3 };
const KEY_LENGTH = 64;
const SALT_BYTES = 16;
// N * r * 128 bytes are needed; leave headroom above Node's 32 MiB default.
const MAX_MEMORY = 128 * 1024 * 1024;

/**
 * scrypt runs on libuv's thread pool (4 threads), which the SQLite driver and DNS share. At most two
 * hashes run at once, so a burst of sign-ins waits its turn instead of stalling every query.
 */
const hashing = new Semaphore(2);

function derive(password: string, salt: Buffer, cost: { N: number; r: number; p: number }, length: number): Promise<Buffer> {
  const options: ScryptOptions = { ...cost, maxmem: MAX_MEMORY };
  return hashing.runExclusive(() => new Promise<Buffer>((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, length, options, (error, key) => (error ? reject(error) : resolve(key)));
  }));
}

/** `scrypt$N$r$p$salt$hash`, salt and hash in base64url. */
export async function hashPassword(password: string, cost: ScryptCost = PRODUCTION_COST): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, cost, KEY_LENGTH);
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** True when the password matches; false for a wrong password or a hash we cannot read. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  if (![N, r, p].every((n) => Number.isInteger(n) && n > 0)) return false;
  const salt = Buffer.from(parts[4], 'base64url');
  const expected = Buffer.from(parts[5], 'base64url');
  if (expected.length === 0) return false;
  try {
    const actual = await derive(password, salt, { N, r, p }, expected.length);
    return timingSafeEqual(actual, expected);
  } catch {
    // Parameters scrypt refuses (an N that is not a power of two, say): not a hash we made.
    return false;
  }
}

/** A hash of a random password, checked when the email is unknown so that case takes as long as a real one. */
const decoys = new Map<string, Promise<string>>();
export function decoyPasswordHash(cost: ScryptCost = PRODUCTION_COST): Promise<string> {
  const key = `${cost.N}:${cost.r}:${cost.p}`;
  if (!decoys.has(key)) decoys.set(key, hashPassword(randomBytes(16).toString('hex'), cost));
  return decoys.get(key)!;
}
