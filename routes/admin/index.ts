import { Router } from 'express';
import type { Services } from '../../services';
import { dashboardRoutes } from './dashboard';
import { bookRoutes } from './books';
import { authorRoutes } from './authors';
import { orderRoutes } from './orders';
import { auditRoutes } from './audit';
import { keepRouteBase } from '../../middleware/metrics';

/**
 * The admin dashboard. app.ts mounts it behind requireAdmin, so every route here (and every form
 * post) is refused to guests and shoppers before it runs, and marked as an admin page.
 */
export function adminRoutes(services: Services): Router {
  const router = Router();
  router.use(keepRouteBase, dashboardRoutes(services));
  router.use('/books', keepRouteBase, bookRoutes(services));
  router.use('/authors', keepRouteBase, authorRoutes(services));
  router.use('/orders', keepRouteBase, orderRoutes(services));
  router.use('/audit', keepRouteBase, auditRoutes(services));
  return router;
}
