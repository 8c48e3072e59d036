import { randomBytes } from 'node:crypto';

/** A random, unguessable key that owns carts and orders (a visitor's, or an account's). */
export function newOwnerKey(): string {
  return randomBytes(24).toString('base64url');
}
