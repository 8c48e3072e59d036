import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pm2Env, pm2NodeArgs } from '../../bench/processes';

describe('bench: the store started as PM2 starts a worker', () => {
  test('takes node_args and env from deploy/pm2/ecosystem.config.cjs', () => {
    assert.deepEqual(pm2NodeArgs(), ['--max-old-space-size=128', '--max-semi-space-size=8']);
    assert.deepEqual(pm2Env(), { NODE_ENV: 'production', MALLOC_ARENA_MAX: '2' });
  });

  test('env values become strings, as PM2 hands them over; no env or node_args is none', () => {
    assert.deepEqual(pm2Env({ env: { MALLOC_ARENA_MAX: 2, FLAG: true } }), { MALLOC_ARENA_MAX: '2', FLAG: 'true' });
    assert.deepEqual(pm2Env({}), {});
    assert.deepEqual(pm2NodeArgs({}), []);
    assert.deepEqual(pm2NodeArgs({ node_args: ' --max-old-space-size=64  --expose-gc ' }), ['--max-old-space-size=64', '--expose-gc']);
  });
});
