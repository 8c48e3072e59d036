import type { RequestHandler } from 'express';
import multer from 'multer';
import { BadRequestError } from '../lib/errors';

export const MAX_COVER_BYTES = 2 * 1024 * 1024;

declare module 'express-serve-static-core' {
  interface Request {
    /** Set when an upload was refused in a way the form should report next to its field. */
    uploadError?: string;
  }
}

const coverUpload = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: MAX_COVER_BYTES, files: 1, fields: 30, fieldSize: 16 * 1024, parts: 32 },
}).single('cover');

/**
 * Parses multipart forms (the admin book form's cover) before the CSRF check, which needs the
 * form's `_csrf` field. Mounted only behind requireAdmin, so nobody else can make us buffer a file.
 * A file over the limit is reported on the form; anything else malformed is a 400.
 */
export const adminMultipart: RequestHandler = (req, res, next) => {
  if (!req.is('multipart/form-data')) {
    next();
    return;
  }
  coverUpload(req, res, (error: unknown) => {
    if (!error) {
      next();
      return;
    }
    if (error instanceof multer.MulterError && error.code === 'LIMIT_FILE_SIZE') {
      req.uploadError = `The cover image must be at most ${MAX_COVER_BYTES / 1024 / 1024} MB.`;
      req.body ??= {};
      next();
      return;
    }
    next(new BadRequestError('We could not read that form. Please try again.'));
  });
};
