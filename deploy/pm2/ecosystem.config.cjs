// PM2 process file for TheEpicBook: `pm2 start deploy/pm2/ecosystem.config.cjs` (paths are found
// from this file, so it works from any directory), then `pm2 reload epicbook` to deploy.
//
// Secrets and connection settings (SESSION_SECRET, DATABASE_URL, PORT, ...) are never written here:
// the app reads them from its environment and, for anything not set there, from the `.env` file in
// its root (config.ts loadDotenv). PM2 hands each worker the environment of the shell that ran
// `pm2 start` and keeps it across reloads, and a variable set there wins over `.env`. Keeping
// settings only in `.env` (mode 600) means an edit takes effect at the next reload, and keeps
// secrets out of `pm2 env`, `pm2 jlist` and the `pm2 save` dump.
//
// Knobs read here, when PM2 reads this file (so they must be in the shell's environment, not `.env`):
//   WEB_CONCURRENCY    workers to run (default: one per CPU core)
//   EPICBOOK_LOG_DIR   where the two log files go (default: /var/log/epicbook, see below)
'use strict';

const fs = require('node:fs');
const path = require('node:path');

/**
 * The app root, two levels up. Node reports this file under its real path, so in a release layout
 * (/srv/epicbook/releases/<id> with /srv/epicbook/current pointing at one of them) we would pin PM2
 * to one release for ever: `pm2 reload` keeps the script path and cwd it was first started with.
 * When a `current` link beside `releases/` points at us, use the link instead, so that a reload
 * after the link moves starts the new release.
 */
function appRoot() {
  const real = path.resolve(__dirname, '..', '..');
  const link = path.resolve(real, '..', '..', 'current');
  try {
    if (fs.lstatSync(link).isSymbolicLink() && fs.realpathSync(link) === fs.realpathSync(real)) return link;
  } catch {
    // No such link: a plain checkout, used where it is.
  }
  return real;
}

/** A positive whole number of workers, or PM2's 'max' (one per core). */
function workerCount() {
  const raw = (process.env.WEB_CONCURRENCY || '').trim();
  if (!raw) return 'max';
  if (!/^[1-9]\d*$/.test(raw)) throw new Error(`WEB_CONCURRENCY must be a positive whole number, not "${raw}"`);
  return Number(raw);
}

// Outside the release directories, so logs survive a deploy and one logrotate rule covers them
// (deploy/logrotate/epicbook). provision.sh creates it owned by the app user.
const logDir = process.env.EPICBOOK_LOG_DIR || '/var/log/epicbook';

module.exports = {
  apps: [
    {
      name: 'epicbook',
      cwd: appRoot(),
      script: 'dist/server.js',
      exec_mode: 'cluster',
      instances: workerCount(),
      env: {
        NODE_ENV: 'production',
      },
      // Left alone, V8 sizes the heap for this machine's whole memory and lets a busy worker grow
      // to about 250 MB before it collects. Live data is about 50 MB, so a 128 MB old space keeps a
      // worker near 140 MB under load, at the price of more garbage collection: about a quarter
      // more CPU per request (npm run bench, which starts the app with these same flags, measured
      // 232 MB and 0.36 CPU ms per cached page without them, 142 MB and 0.43 ms with them).
      //
      // --v8-pool-size=2: V8's background threads (concurrent compilation and GC helpers) default to
      // four per worker, and glibc gives each thread that mallocs an arena of its own, which keeps
      // what that thread freed (compiler zones, mostly). Under the bench's cart and checkout at 50
      // connections the arenas other than the main thread's held 7.0 MB in nine arenas with four,
      // 3.6-4.0 MB in seven with two. Main-thread CPU per request did not move beyond the runs' noise
      // (bench/steps.ts, 50 guests: guest book page 0.20-0.21 ms against 0.20-0.24 with four, cart
      // page 0.31-0.32 against 0.31-0.36, cart change 0.52-0.58 against 0.58-0.59); with one worker
      // per core, two helpers a worker still covers the machine. (MALLOC_ARENA_MAX would bound the
      // arenas directly, but in cluster mode PM2 hands a worker this file's env only after it has
      // started, when glibc has long read its settings; node_args are its command line.)
      node_args: ['--max-old-space-size=128', '--max-semi-space-size=8', '--v8-pool-size=2'],

      // server.ts sends 'ready' only after the database answered, was migrated and the port is
      // bound; until then a reload keeps the old worker serving. listen_timeout is how long PM2
      // waits for it before going on anyway: above the 5 s database connect timeout plus migrations.
      wait_ready: true,
      listen_timeout: 30000,
      // server.ts gives requests in flight 8 s (SHUTDOWN_GRACE_MS) and then exits by itself; PM2's
      // SIGKILL is only the backstop for a process that is stuck.
      kill_timeout: 10000,

      // A worker starts at about 100 MB; one that leaks is replaced (by a graceful reload, like
      // `pm2 reload`) long before a small instance running MySQL too runs out of memory.
      max_memory_restart: '300M',
      // A worker that keeps dying (the database down at boot, say) is restarted after 100 ms, then
      // 150, 225, ... up to PM2's 15 s ceiling, instead of in a tight loop that PM2 would give up
      // on; the delay starts again from 100 ms once a worker has stayed up for 30 s.
      exp_backoff_restart_delay: 100,

      // One pair of files for every worker. pino already writes one JSON object per line with its
      // own "time", so PM2 adds no timestamp prefix (`time`/`log_date_format` would turn each line
      // into "<date>: {...}" and break JSON log parsing).
      out_file: path.join(logDir, 'epicbook-out.log'),
      error_file: path.join(logDir, 'epicbook-error.log'),
      merge_logs: true,
      time: false,
    },
  ],
};
