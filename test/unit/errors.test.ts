import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  AppError,
  BadRequestError,
  NotFoundError,
  ValidationError,
  ConflictError,
  ServiceUnavailableError,
  isAppError,
} from '../../lib/errors';

describe('error classes', () => {
  const fields = { email: 'Enter your email address.' };
  const cases: Array<{ error: AppError; name: string; status: number; code: string; message: string; fields?: Record<string, string> }> = [
    { error: new BadRequestError('Bad form.', fields), name: 'BadRequestError', status: 400, code: 'bad_request', message: 'Bad form.', fields },
    { error: new NotFoundError(), name: 'NotFoundError', status: 404, code: 'not_found', message: 'We could not find that page.' },
    { error: new NotFoundError('No such book.'), name: 'NotFoundError', status: 404, code: 'not_found', message: 'No such book.' },
    { error: new ValidationError('Check the form.', fields), name: 'ValidationError', status: 422, code: 'invalid', message: 'Check the form.', fields },
    { error: new ConflictError('out_of_stock', 'Only 2 left.', { quantity: 'Too many.' }), name: 'ConflictError', status: 409, code: 'out_of_stock', message: 'Only 2 left.', fields: { quantity: 'Too many.' } },
    { error: new ServiceUnavailableError(), name: 'ServiceUnavailableError', status: 503, code: 'unavailable', message: 'The store is having trouble reaching its database. Please try again in a moment.' },
    { error: new ServiceUnavailableError('Down for maintenance.'), name: 'ServiceUnavailableError', status: 503, code: 'unavailable', message: 'Down for maintenance.' },
    { error: new AppError(418, 'teapot', 'I am a teapot.'), name: 'AppError', status: 418, code: 'teapot', message: 'I am a teapot.' },
  ];

  for (const { error, name, status, code, message, fields: expectedFields } of cases) {
    test(`${name}(${JSON.stringify(message)}) is a ${status} ${code}`, () => {
      assert.equal(error.status, status);
      assert.equal(error.code, code);
      assert.equal(error.message, message);
      assert.equal(error.name, name);
      assert.deepEqual(error.fields, expectedFields);
      assert.equal(error.isOperational, true);
      assert.ok(error instanceof AppError);
      assert.ok(error instanceof Error);
      assert.equal(isAppError(error), true);
      assert.ok(error.stack?.startsWith(`${name}: ${message}`), error.stack);
    });
  }

  test('subclasses are distinguishable from each other', () => {
    assert.ok(new NotFoundError() instanceof NotFoundError);
    assert.equal(new NotFoundError() instanceof ValidationError, false);
    assert.equal(new BadRequestError('x') instanceof ValidationError, false);
  });

  test('fields are optional', () => {
    assert.equal(new BadRequestError('x').fields, undefined);
    assert.equal(new ConflictError('c', 'x').fields, undefined);
  });
});

describe('isAppError', () => {
  const notAppErrors: Array<[string, unknown]> = [
    ['a plain Error', new Error('boom')],
    ['a TypeError', new TypeError('boom')],
    ['an object shaped like an AppError', { status: 404, code: 'not_found', message: 'x', isOperational: true, name: 'NotFoundError' }],
    ['null', null],
    ['undefined', undefined],
    ['a string', 'not_found'],
    ['a number', 404],
  ];
  for (const [label, value] of notAppErrors) {
    test(`is false for ${label}`, () => {
      assert.equal(isAppError(value), false);
    });
  }
});
