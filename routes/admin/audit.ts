import { Router } from 'express';
import type { Services } from '../../services';

export function auditRoutes(services: Services): Router {
  void services;
  const router = Router();
  return router;
}
