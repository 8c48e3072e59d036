import { Router } from 'express';
import type { Services } from '../../services';

export function authorRoutes(services: Services): Router {
  void services;
  const router = Router();
  return router;
}
