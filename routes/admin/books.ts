import { Router } from 'express';
import type { Services } from '../../services';

export function bookRoutes(services: Services): Router {
  void services;
  const router = Router();
  return router;
}
