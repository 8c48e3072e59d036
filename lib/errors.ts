/**
 * Operational errors: things that go wrong because of what a client sent or the state of the store
 * (a missing book, too few copies, a bad form). They carry the status and a message that is safe to
 * show. Anything else that reaches the error handler is a programmer error: logged, and shown to the
 * user only as a generic 500 page.
 */
export class AppError extends Error {
  readonly isOperational = true;
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields?: Record<string, string>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadRequestError extends AppError {
  constructor(message: string, fields?: Record<string, string>) {
    super(400, 'bad_request', message, fields);
  }
}

export class NotFoundError extends AppError {
  constructor(message = 'We could not find that page.') {
    super(404, 'not_found', message);
  }
}

export class ValidationError extends AppError {
  constructor(message: string, fields?: Record<string, string>) {
    super(422, 'invalid', message, fields);
  }
}

export class ConflictError extends AppError {
  constructor(code: string, message: string, fields?: Record<string, string>) {
    super(409, code, message, fields);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'You do not have access to that page.') {
    super(403, 'forbidden', message);
  }
}

/** Too many attempts in a short time; `retryAfterSeconds` becomes the Retry-After header. */
export class TooManyRequestsError extends AppError {
  constructor(message: string, readonly retryAfterSeconds: number) {
    super(429, 'too_many_requests', message);
  }
}

/** The path exists but not with this method; the handler sets the Allow header before throwing. */
export class MethodNotAllowedError extends AppError {
  constructor(allowed: readonly string[]) {
    super(405, 'method_not_allowed', `This address only answers ${allowed.join(', ')}.`);
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor(message: string) {
    super(415, 'unsupported_media_type', message);
  }
}

export class ServiceUnavailableError extends AppError {
  constructor(message = 'The store is having trouble reaching its database. Please try again in a moment.') {
    super(503, 'unavailable', message);
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
