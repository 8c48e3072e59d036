/**
 * The yardstick: the least an Express app can do per request on this machine, measured in the same
 * run as the store so that the store's numbers can be read as a share of what the machine allows.
 */
import express from 'express';

const port = Number(process.env.PORT);
if (!Number.isInteger(port) || port <= 0) {
  console.error('yardstick: set PORT');
  process.exit(1);
}

const app = express();
app.disable('x-powered-by');
app.get('/', (_req, res) => {
  res.send('Hello');
});
app.listen(port, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
