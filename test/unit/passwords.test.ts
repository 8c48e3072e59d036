import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PRODUCTION_COST, hashPassword, verifyPassword } from '../../lib/passwords';
import { loadConfig } from '../../config';

describe('password hashes', () => {
  test('production hashes use OWASP’s scrypt setting, a fresh salt each time, and verify', async () => {
    assert.deepEqual(loadConfig({}, { NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(32) }).passwordHashCost, PRODUCTION_COST);
    assert.deepEqual(loadConfig({}, { NODE_ENV: 'development' }).passwordHashCost, PRODUCTION_COST);
    const first = await hashPassword('correct horse battery staple');
    const second = await hashPassword('correct horse battery staple');
    assert.match(first, /^scrypt\$32768\$8\$3\$[\w-]{22}\$[\w-]{86}$/);
    assert.notEqual(first, second);
    assert.equal(await verifyPassword('correct horse battery staple', first), true);
    assert.equal(await verifyPassword('correct horse battery stapler', first), false);
  });

  test('a hash made at another cost still verifies (the cost is stored with it)', async () => {
    const cheap = await hashPassword('pässwörd', { N: 1024, r: 8, p: 1 });
    assert.equal(await verifyPassword('pässwörd', cheap), true);
    // NFKC: the same password typed with a composed or a decomposed "ä" is the same password.
    assert.equal(await verifyPassword('pa\u0308sswo\u0308rd', cheap), true);
  });

  test('malformed stored hashes never verify and never throw', async () => {
    for (const stored of ['', 'plain-text', 'scrypt$x$8$1$abc$def', 'bcrypt$1$2$3$4$5', 'scrypt$1024$8$1$c2FsdA$', 'scrypt$0$8$1$c2FsdA$aGFzaA', 'scrypt$3$8$1$c2FsdA$aGFzaA']) {
      assert.equal(await verifyPassword('anything', stored), false, stored);
    }
  });
});
