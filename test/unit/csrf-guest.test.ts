import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Request } from 'express';
import { createCsrf } from '../../middleware/csrf';

// validGuestToken is the CSRF check of a guest's add answered before the chain (middleware/cart-add.ts):
// for a request whose session is not loaded it must agree with `protect`, the chain's check, in
// every case, and it must refuse a request whose session is loaded (it may be an account's).

const secret = 'a-secret-of-at-least-thirty-two-characters';
const csrf = createCsrf({ sessionSecret: secret });
const elsewhere = createCsrf({ sessionSecret: 'another-secret-of-thirty-two-characters' });

const COOKIE = 'epicbook.csrf';

/** The token with its first hex digit changed. */
const changed = (token: string): string => `${token[0] === '0' ? '1' : '0'}${token.slice(1)}`;

interface Ask {
  cookie?: string;
  field?: unknown;
  header?: string;
  session?: Record<string, unknown>;
}

function requestFor({ cookie, field, header, session }: Ask): Request {
  return {
    method: 'POST',
    cookies: cookie === undefined ? {} : { [COOKIE]: cookie },
    body: field === undefined ? {} : { _csrf: field },
    headers: header === undefined ? {} : { 'x-csrf-token': header },
    session,
  } as unknown as Request;
}

/** Whether the chain's check lets the request through. */
function protectPasses(ask: Ask): boolean {
  let passed = false;
  csrf.protect(requestFor(ask), {} as never, (error?: unknown) => {
    passed = error === undefined;
  });
  return passed;
}

describe('the early add\'s CSRF check of a guest', () => {
  const { token } = csrf.anonymousToken(undefined, false);
  const other = csrf.anonymousToken(undefined, false).token;
  const foreign = elsewhere.anonymousToken(undefined, false).token;

  const cases: Array<[string, Ask]> = [
    ['a token in the form that matches its cookie', { cookie: token, field: token }],
    ['a token in the header that matches its cookie', { cookie: token, header: token }],
    ['an empty form field before a good header', { cookie: token, field: '', header: token }],
    ['two form fields', { cookie: token, field: [token, token], header: token }],
    ['no cookie', { field: token }],
    ['no token', { cookie: token }],
    ['another guest\'s token', { cookie: token, field: other }],
    ['a pair made with another secret', { cookie: foreign, field: foreign }],
    ['a cookie of the right shape but a changed HMAC', { cookie: changed(token), field: changed(token) }],
  ];
  for (const [what, ask] of cases) {
    test(`${what}: as the chain's check decides`, () => {
      assert.equal(csrf.validGuestToken(requestFor(ask)), protectPasses(ask));
    });
  }

  test('the good cases pass and the bad ones do not (the cases above test something)', () => {
    const verdicts = cases.map(([, ask]) => csrf.validGuestToken(requestFor(ask)));
    assert.deepEqual(verdicts, [true, true, false, true, false, false, false, false, false]);
  });

  test('a request whose session is loaded is refused, even with a good pair: `protect` checks it against the account', () => {
    assert.equal(csrf.validGuestToken(requestFor({ cookie: token, field: token, session: {} })), false);
    assert.equal(csrf.validGuestToken(requestFor({ cookie: token, field: token, session: { userId: 7 } })), false);
    assert.equal(protectPasses({ cookie: token, field: token, session: { userId: 7 } }), false, 'bound to no account, the chain refuses it too');
  });
});
