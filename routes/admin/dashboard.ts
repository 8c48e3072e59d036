import { Router } from 'express';
import type { Services } from '../../services';

export function dashboardRoutes(services: Services): Router {
  void services;
  const router = Router();
  return router;
}
