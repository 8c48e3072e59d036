import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { projectRoot } from '../config';
import { cpuSecondsFrom, peakRssMbFrom, rssMbFrom } from './report';

/** `node_args` of the app in deploy/pm2/ecosystem.config.cjs: the bench starts the store as PM2 starts a worker. */
export function pm2NodeArgs(): string[] {
  const ecosystem = require(path.join(projectRoot, 'deploy/pm2/ecosystem.config.cjs')) as { apps: Array<{ node_args?: string[] | string }> };
  const args = ecosystem.apps[0].node_args ?? [];
  return Array.isArray(args) ? args : args.split(/\s+/).filter(Boolean);
}

export interface Started {
  child: ChildProcess;
  port: number;
  url: string;
  /** From spawn to the first 200 of the ready URL. */
  readyMs: number;
  logFile: string;
}

/** A port nobody listens on right now (the kernel picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Spawns `node <args>` with its output in a log file (as PM2 would write it: the app logs every
 * request, and that cost belongs in the measurement) and polls `readyPath` until it answers 200.
 */
export async function startProcess(options: {
  name: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  port: number;
  readyPath: string;
  logDir: string;
  timeoutMs?: number;
}): Promise<Started> {
  const logFile = path.join(options.logDir, `${options.name}.log`);
  const fd = openSync(logFile, 'a');
  const spawned = process.hrtime.bigint();
  const child = spawn(process.execPath, options.args, { cwd: options.cwd, env: options.env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  let exited: string | null = null;
  child.once('exit', (code, signal) => {
    exited = `exited with ${signal ?? code}`;
  });
  const url = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${options.name} ${exited} before it was ready; see ${logFile}:\n${tail(logFile)}`);
    try {
      const response = await fetch(url + options.readyPath, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      if (response.status === 200) {
        return { child, port: options.port, url, readyMs: Number(process.hrtime.bigint() - spawned) / 1e6, logFile };
      }
    } catch {
      // Not listening yet.
    }
    await sleep(5);
  }
  child.kill('SIGKILL');
  throw new Error(`${options.name} was not ready within ${options.timeoutMs ?? 30_000} ms; see ${logFile}:\n${tail(logFile)}`);
}

/** SIGTERM, then SIGKILL if it does not stop in time. */
export async function stopProcess(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export function peakRssMb(pid: number): number {
  const mb = peakRssMbFrom(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (mb === null) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return mb;
}

export function rssMb(pid: number): number {
  const mb = rssMbFrom(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (mb === null) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return mb;
}

export function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export function cpuSeconds(pid: number): number {
  const seconds = cpuSecondsFrom(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  if (seconds === null) throw new Error(`cannot read CPU time from /proc/${pid}/stat`);
  return seconds;
}
