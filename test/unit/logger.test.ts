import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';

// The logger gathers its lines before writing them (logger.ts): none may be lost when the process
// ends, nor wait long in a quiet one.

const root = path.join(__dirname, '../..');

/** Runs `body` (with `logger` in scope) in a process of its own, to its end; the lines it wrote. */
function run(body: string): Promise<{ lines: Array<Record<string, unknown>>; code: number | null }> {
  const script = `const { createLogger } = require(${JSON.stringify(path.join(root, 'logger.ts'))});
const logger = createLogger({ logLevel: 'info' });
${body}`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ lines: out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>), code }));
  });
}

test('lines logged just before process.exit() are written', async () => {
  const { lines, code } = await run(`logger.info('one'); logger.warn({ n: 2 }, 'two'); process.exit(3);`);
  assert.equal(code, 3);
  assert.deepEqual(lines.map((l) => l.msg), ['one', 'two']);
  assert.equal(lines[1].n, 2);
});

test('the line logged just before a crash is written', async () => {
  const { lines, code } = await run(`setTimeout(() => { logger.error('about to fail'); throw new Error('crash'); }, 5);`);
  assert.notEqual(code, 0);
  assert.deepEqual(lines.map((l) => l.msg), ['about to fail']);
});

test('in a quiet process a line is written while it runs, not only when it ends', { timeout: 30_000 }, async () => {
  // The child logs one line and then only waits; it is killed (no exit handlers run) once the line
  // arrives, so the line can only have come from the periodic flush.
  const script = `const { createLogger } = require(${JSON.stringify(path.join(root, 'logger.ts'))});
createLogger({ logLevel: 'info' }).info('alone');
setInterval(() => {}, 60_000);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString()));
      child.on('error', reject);
      child.on('exit', () => reject(new Error('the child ended before writing')));
    });
    assert.equal((JSON.parse(line.trim()) as Record<string, unknown>).msg, 'alone');
  } finally {
    child.kill('SIGKILL');
  }
});
