import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Request, Response } from 'express';
import { asError, keepForChain, raiseKeptFailure } from '../../middleware/early-failure';

/** What raiseKeptFailure(place) passes to next for `req`. */
function raised(place: 'form' | 'add', req: Request): unknown[] {
  const calls: unknown[][] = [];
  raiseKeptFailure(place)(req, {} as Response, (...args: unknown[]) => calls.push(args));
  assert.equal(calls.length, 1, 'next is called once');
  return calls[0];
}

describe('a failure kept for the chain', () => {
  test('is raised at its own place only, once', () => {
    const req = {} as Request;
    const failure = new Error('the disk is away');
    keepForChain(req, 'add', failure);
    assert.deepEqual(raised('form', req), [], 'another place passes the request on');
    assert.deepEqual(raised('add', req), [failure]);
    assert.deepEqual(raised('add', req), [], 'raised once: a second pass goes on');
  });

  for (const thrown of [undefined, null, '', 0, 'route', 'router']) {
    test(`${JSON.stringify(thrown) ?? 'undefined'} thrown is raised as an error, never as "go on" or "next route"`, () => {
      const req = {} as Request;
      keepForChain(req, 'add', thrown);
      const [passed] = raised('add', req);
      assert.ok(passed instanceof Error);
      assert.equal(asError(thrown).message, `non-error thrown: ${String(thrown)}`);
    });
  }

  test('a request with nothing kept goes on', () => {
    assert.deepEqual(raised('add', {} as Request), []);
  });
});
