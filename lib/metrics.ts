import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Sequelize } from 'sequelize';

/** sequelize-pool's counters, when the dialect has a pool (MySQL does; SQLite has one connection). */
interface PoolLike {
  size: number;
  available: number;
  using: number;
  waiting: number;
}

/**
 * The app's Prometheus metrics, on a registry of its own (not prom-client's global one) so that each
 * app built by createApp, in tests several per process, counts only its own requests.
 */
export function createMetrics(sequelize: Sequelize) {
  const registry = new Registry();
  // Under PM2 every worker is scraped on its own; the label tells their series apart.
  registry.setDefaultLabels({ worker: process.env.NODE_APP_INSTANCE ?? '0' });
  collectDefaultMetrics({ register: registry, prefix: 'epicbook_' });

  const requests = new Counter({
    name: 'epicbook_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'epicbook_http_request_duration_seconds',
    help: 'Time from request to response finished, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const ordersPlaced = new Counter({ name: 'epicbook_orders_placed_total', help: 'Orders placed.', registers: [registry] });
  const cartsCreated = new Counter({ name: 'epicbook_carts_created_total', help: 'Carts created by a first add.', registers: [registry] });
  const earlyCartPages = new Counter({
    name: 'epicbook_early_cart_pages_total',
    help: 'GET /cart with a session cookie, by who answered: early (a guest\'s page, before the middleware chain), chain (no live guest session: signed in, renewal due, none) or error (a read or the render failed; the chain answered).',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const earlyCartAdds = new Counter({
    name: 'epicbook_early_cart_adds_total',
    help: 'POST /cart/items with a session cookie from a client not asking for JSON, by how it was answered: early (a guest\'s add, before the middleware chain), chain (not a guest\'s form with a valid token: the chain answered it), refused (a body, a form or an add refused: a client\'s mistake or too few copies; the chain answered) or error (the session could not be read, the body for a reason of the server\'s, or the add failed: the chain answered).',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });

  const pool = (): PoolLike | undefined => (sequelize.connectionManager as unknown as { pool?: PoolLike }).pool;
  new Gauge({
    name: 'epicbook_db_pool_connections',
    help: 'Database pool connections by state (MySQL; SQLite has no pool).',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const p = pool();
      if (!p || typeof p.size !== 'number') return;
      this.set({ state: 'open' }, p.size);
      this.set({ state: 'idle' }, p.available);
      this.set({ state: 'in_use' }, p.using);
      this.set({ state: 'waiting' }, p.waiting);
    },
  });

  return {
    registry,
    observeRequest(method: string, route: string, status: number, seconds: number) {
      const labels = { method, route, status: String(status) };
      requests.inc(labels);
      latency.observe(labels, seconds);
    },
    orderPlaced: () => ordersPlaced.inc(),
    cartCreated: () => cartsCreated.inc(),
    earlyCartPage: (outcome: 'early' | 'chain' | 'error') => earlyCartPages.inc({ outcome }),
    earlyCartAdd: (outcome: 'early' | 'chain' | 'refused' | 'error') => earlyCartAdds.inc({ outcome }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
