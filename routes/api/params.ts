import { BadRequestError } from '../../lib/errors';
import { idSchema } from '../../validation/common';

/** An id from the path: digits only. A malformed one is the client's mistake (400), not a missing thing (404). */
export function pathId(value: unknown, name: string, what: string): number {
  const parsed = idSchema.safeParse(value);
  if (!parsed.success) throw new BadRequestError(`That is not a valid ${what} id.`, { [name]: 'Must be a whole number from 1.' });
  return parsed.data;
}
