import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { shippingSchema, US_STATES, SHIPPING_FIELDS } from '../../validation/checkout';
import { fieldErrors } from '../../validation/common';

const valid = {
  fullName: 'Ada Lovelace',
  email: 'ada@example.com',
  addressLine1: '123 Main St',
  addressLine2: 'Apt 4',
  city: 'Chicago',
  state: 'IL',
  zipCode: '60601',
};

/** The first message for each field of a submission that must fail. */
function errorsFor(input: unknown): Record<string, string> {
  const result = shippingSchema.safeParse(input);
  assert.equal(result.success, false, 'expected the address to be rejected');
  return fieldErrors(result.error!);
}

describe('shippingSchema: valid addresses', () => {
  test('accepts a complete US address unchanged', () => {
    assert.deepEqual(shippingSchema.parse(valid), valid);
  });

  test('normalises case, whitespace and an empty second line', () => {
    const parsed = shippingSchema.parse({
      fullName: '  Ada Lovelace ',
      email: ' ada@example.com\t',
      addressLine1: ' 123 Main St ',
      addressLine2: '',
      city: ' Chicago ',
      state: ' il ',
      zipCode: ' 60601 ',
    });
    assert.deepEqual(parsed, { ...valid, addressLine2: null });
  });

  test('treats a missing or blank second line as null', () => {
    const { addressLine2: _omitted, ...withoutLine2 } = valid;
    assert.equal(shippingSchema.parse(withoutLine2).addressLine2, null);
    assert.equal(shippingSchema.parse({ ...valid, addressLine2: '   ' }).addressLine2, null);
  });

  test('accepts ZIP+4', () => {
    assert.equal(shippingSchema.parse({ ...valid, zipCode: '10001-1234' }).zipCode, '10001-1234');
  });

  test('accepts every listed state and DC in either case', () => {
    assert.equal(US_STATES.length, 51);
    for (const [code] of US_STATES) {
      assert.equal(shippingSchema.parse({ ...valid, state: code }).state, code);
      assert.equal(shippingSchema.parse({ ...valid, state: code.toLowerCase() }).state, code);
    }
  });

  test('accepts fields at their maximum length', () => {
    const parsed = shippingSchema.parse({
      ...valid,
      fullName: 'n'.repeat(120),
      addressLine1: 'a'.repeat(120),
      addressLine2: 'b'.repeat(120),
      city: 'c'.repeat(80),
    });
    assert.equal(parsed.fullName.length, 120);
    assert.equal(parsed.city.length, 80);
  });

  test('drops unknown fields', () => {
    const parsed = shippingSchema.parse({ ...valid, isAdmin: true, total: '0.00' });
    assert.deepEqual(Object.keys(parsed).sort(), [...SHIPPING_FIELDS].sort());
  });
});

describe('shippingSchema: missing fields', () => {
  const required: Array<[keyof typeof valid, string]> = [
    ['fullName', 'Enter your full name.'],
    ['email', 'Enter your email address.'],
    ['addressLine1', 'Enter your street address.'],
    ['city', 'Enter your city.'],
    ['state', 'Choose your state.'],
    ['zipCode', 'Enter your ZIP code.'],
  ];

  for (const [field, message] of required) {
    test(`a missing ${field} is reported on ${field} only`, () => {
      const { [field]: _omitted, ...rest } = valid;
      assert.deepEqual(errorsFor(rest), { [field]: message });
    });
  }

  for (const [field, message] of required.filter(([f]) => f !== 'state' && f !== 'zipCode')) {
    test(`a blank ${field} asks for it rather than calling it too short`, () => {
      assert.deepEqual(errorsFor({ ...valid, [field]: '   ' }), { [field]: message });
    });
  }

  test('an empty submission reports every required field', () => {
    assert.deepEqual(Object.keys(errorsFor({})).sort(), ['addressLine1', 'city', 'email', 'fullName', 'state', 'zipCode']);
  });

  test('a non-object is rejected', () => {
    assert.equal(shippingSchema.safeParse(null).success, false);
    assert.equal(shippingSchema.safeParse('address').success, false);
  });
});

describe('shippingSchema: invalid values', () => {
  for (const email of ['ada', 'ada@', '@example.com', 'ada@example', 'ada lovelace@example.com', 'ada@@example.com']) {
    test(`rejects the email ${JSON.stringify(email)}`, () => {
      assert.deepEqual(errorsFor({ ...valid, email }), { email: 'Enter an email address like name@example.com.' });
    });
  }

  test('rejects an email over 254 characters', () => {
    const email = `${'a'.repeat(64)}@${'b'.repeat(185)}.com`;
    assert.equal(email.length, 254);
    assert.equal(shippingSchema.safeParse({ ...valid, email }).success, true);
    assert.equal(errorsFor({ ...valid, email: `a${email}` }).email, 'That email address is too long.');
  });

  for (const zipCode of ['1234', 'ABCDE', '123456', '12345-', '12345-123', '12345 6789', '1234a']) {
    test(`rejects the ZIP code ${JSON.stringify(zipCode)}`, () => {
      assert.deepEqual(errorsFor({ ...valid, zipCode }), { zipCode: 'Enter a 5-digit ZIP code, like 10001 or 10001-1234.' });
    });
  }

  for (const state of ['ZZ', 'Illinois', 'I', 'ILL', '', 'PR']) {
    test(`rejects the state ${JSON.stringify(state)}`, () => {
      assert.deepEqual(errorsFor({ ...valid, state }), { state: 'Choose your state from the list.' });
    });
  }

  test('rejects values that are too short', () => {
    assert.deepEqual(errorsFor({ ...valid, fullName: 'A' }), { fullName: 'Your full name looks too short.' });
    assert.deepEqual(errorsFor({ ...valid, addressLine1: '12' }), { addressLine1: 'Your street address looks too short.' });
    assert.deepEqual(errorsFor({ ...valid, city: 'X' }), { city: 'Your city looks too short.' });
  });

  test('rejects values that are too long', () => {
    assert.deepEqual(errorsFor({ ...valid, fullName: 'n'.repeat(121) }), { fullName: 'Keep your full name under 121 characters.' });
    assert.deepEqual(errorsFor({ ...valid, addressLine1: 'a'.repeat(121) }), { addressLine1: 'Keep your street address under 121 characters.' });
    assert.deepEqual(errorsFor({ ...valid, addressLine2: 'b'.repeat(121) }), { addressLine2: 'Keep address line 2 under 121 characters.' });
    assert.deepEqual(errorsFor({ ...valid, city: 'c'.repeat(81) }), { city: 'Keep your city under 81 characters.' });
  });

  const controls = ['\n', '\r', '\t', '\u0000', '\u0007', '\u001b', '\u007f'];
  for (const ch of controls) {
    test(`rejects the control character ${JSON.stringify(ch)} inside a field`, () => {
      assert.deepEqual(errorsFor({ ...valid, fullName: `Ada${ch}Lovelace` }), { fullName: 'Your full name contains characters we cannot print.' });
      assert.deepEqual(errorsFor({ ...valid, addressLine1: `123${ch}Main St` }), { addressLine1: 'Your street address contains characters we cannot print.' });
      assert.deepEqual(errorsFor({ ...valid, addressLine2: `Apt${ch}4` }), { addressLine2: 'Address line 2 contains characters we cannot print.' });
      assert.deepEqual(errorsFor({ ...valid, city: `Chi${ch}cago` }), { city: 'Your city contains characters we cannot print.' });
    });
  }

  test('rejects arrays and other non-strings in place of text', () => {
    assert.deepEqual(errorsFor({ ...valid, fullName: ['Ada', 'Eve'] }), { fullName: 'Enter your full name.' });
    assert.deepEqual(errorsFor({ ...valid, email: ['ada@example.com'] }), { email: 'Enter your email address.' });
    assert.deepEqual(errorsFor({ ...valid, addressLine2: ['Apt 4'] }), { addressLine2: 'Address line 2 must be text.' });
    assert.deepEqual(errorsFor({ ...valid, state: ['IL'] }), { state: 'Choose your state.' });
    assert.deepEqual(errorsFor({ ...valid, zipCode: 60601 }), { zipCode: 'Enter your ZIP code.' });
    assert.deepEqual(errorsFor({ ...valid, city: { name: 'Chicago' } }), { city: 'Enter your city.' });
  });
});
