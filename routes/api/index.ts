import { Router } from 'express';
import type { Services } from '../../services';
import type { Metrics } from '../../lib/metrics';
import type { Csrf } from '../../middleware/csrf';
import { NotFoundError } from '../../lib/errors';
import { apiBookRoutes } from './books';
import { apiCartRoutes } from './cart';
import { apiOrderRoutes } from './orders';
import { openApiDocument } from './openapi';
import { onlyMethods } from './guards';

/**
 * The JSON API, mounted at /api. It checks its own writes (JSON only, CSRF header with a session
 * cookie), so it sits before the pages' form CSRF check, and nothing under /api falls through to
 * the pages: an unknown path is a JSON 404 here.
 */
export function apiRoutes(services: Services, metrics: Pick<Metrics, 'cartCreated' | 'orderPlaced'>, csrf: Csrf): Router {
  const router = Router();
  const document = JSON.stringify(openApiDocument());

  // Metrics label API requests /api/..., errors and /API/... spellings included (middleware/metrics.ts).
  router.use((_req, res, next) => {
    res.locals.routeBase = '/api';
    next();
  });
  router.use(apiBookRoutes(services));
  router.use(apiCartRoutes(services, metrics, csrf));
  router.use(apiOrderRoutes(services, metrics, csrf));
  router
    .route('/openapi.json')
    .get((_req, res) => {
      res.type('application/json').send(document);
    })
    .all(onlyMethods('GET'));

  router.use(() => {
    throw new NotFoundError('There is no such API endpoint. GET /api/openapi.json lists them.');
  });
  return router;
}
