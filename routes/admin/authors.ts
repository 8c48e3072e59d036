import { Router, type Request, type Response } from 'express';
import type { Services } from '../../services';
import type { Actor } from '../../services/audit';
import type { AdminAuthorView } from '../../services/admin/authors';
import { SEARCH_MAX_LENGTH } from '../../services/catalog';
import { searchWords } from '../../lib/search-text';
import { AppError, ForbiddenError, NotFoundError } from '../../lib/errors';
import { paginate } from '../../lib/pagination';
import { flash } from '../../middleware/flash';
import { AUTHOR_FIELDS, AUTHOR_NAME_MAX, authorSchema } from '../../validation/author';
import { fieldErrors, idSchema, parsePage, keptStrings } from '../../validation/common';

const PER_PAGE = 50;
const SECTION = 'authors';

type FormValues = Partial<Record<(typeof AUTHOR_FIELDS)[number], string>>;

const keptValues = (body: unknown) => keptStrings(body, AUTHOR_FIELDS, 300);

function authorIdFrom(req: Request): number {
  const id = idSchema.safeParse(req.params.id);
  if (!id.success) throw new NotFoundError('We could not find that author.');
  return id.data;
}

/** requireAdmin has already let only admins in; this narrows the type and guards a mis-mounted router. */
function actorOf(req: Request): Actor {
  if (!req.account?.isAdmin) throw new ForbiddenError('Only store admins can change authors.');
  return { id: req.account.id, email: req.account.email };
}

interface FormState {
  author?: AdminAuthorView;
  values: FormValues;
  errors?: Record<string, string>;
  message?: string;
}

function renderForm(res: Response, { author, values, errors = {}, message }: FormState): void {
  res.render('admin/author-form', {
    title: author ? `Edit ${author.name}` : 'Add an author',
    section: SECTION,
    author,
    action: author ? `/admin/authors/${author.id}` : '/admin/authors',
    values,
    errors,
    message,
    maxLength: AUTHOR_NAME_MAX,
  });
}

/** A duplicate name (409) is shown on the form; anything else goes to the error handler. */
function isConflict(error: unknown): error is AppError {
  return error instanceof AppError && error.status === 409;
}

export function authorRoutes({ admin }: Services): Router {
  const { authors } = admin;
  const router = Router();

  router.get('/', async (req, res) => {
    // A repeated ?q= arrives as an array: it is ignored rather than guessed at. A query with no
    // words left once punctuation and wildcards are dropped ("%") is no search, and the page must not claim one.
    const typed = typeof req.query.q === 'string' ? req.query.q.trim().slice(0, SEARCH_MAX_LENGTH) : '';
    const words = searchWords(typed);
    const query = words.indexed.length + words.filters.length > 0 ? typed : '';
    const list = await authors.listAuthors({ query, page: parsePage(req.query.page), perPage: PER_PAGE });
    res.render('admin/authors', {
      title: 'Authors',
      section: SECTION,
      authors: list,
      query,
      pagination: paginate('/admin/authors', { q: query || undefined }, list.page, list.pageCount),
    });
  });

  router.get('/new', (_req, res) => {
    renderForm(res, { values: {} });
  });

  router.post('/', async (req, res) => {
    const actor = actorOf(req);
    const values = keptValues(req.body);
    const parsed = authorSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      res.status(422);
      renderForm(res, { values, errors: fieldErrors(parsed.error), message: 'Please correct the highlighted fields.' });
      return;
    }
    try {
      const author = await authors.createAuthor(actor, parsed.data);
      flash(res, 'success', `Added ${author.name}.`);
    } catch (error) {
      if (!isConflict(error)) throw error;
      res.status(409);
      renderForm(res, { values, errors: error.fields, message: error.message });
      return;
    }
    res.redirect(303, '/admin/authors');
  });

  router.get('/:id/edit', async (req, res) => {
    const author = await authors.getAuthor(authorIdFrom(req));
    renderForm(res, { author, values: { firstName: author.firstName, lastName: author.lastName } });
  });

  router.post('/:id', async (req, res) => {
    const actor = actorOf(req);
    const id = authorIdFrom(req);
    const values = keptValues(req.body);
    const parsed = authorSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      const author = await authors.getAuthor(id);
      res.status(422);
      renderForm(res, { author, values, errors: fieldErrors(parsed.error), message: 'Please correct the highlighted fields.' });
      return;
    }
    try {
      const { author, changed } = await authors.updateAuthor(actor, id, parsed.data);
      flash(res, 'success', changed ? `Saved ${author.name}.` : `Nothing changed: ${author.name} already had that name.`);
    } catch (error) {
      if (!isConflict(error)) throw error;
      const author = await authors.getAuthor(id);
      res.status(409);
      renderForm(res, { author, values, errors: error.fields, message: error.message });
      return;
    }
    res.redirect(303, '/admin/authors');
  });

  router.get('/:id/delete', async (req, res) => {
    const author = await authors.getAuthorForRemoval(authorIdFrom(req));
    res.render('admin/author-delete', { title: `Remove ${author.name}?`, section: SECTION, author });
  });

  router.post('/:id/delete', async (req, res) => {
    const actor = actorOf(req);
    const id = authorIdFrom(req);
    try {
      const author = await authors.removeAuthor(actor, id);
      flash(res, 'success', `Removed ${author.name}.`);
    } catch (error) {
      if (!isConflict(error)) throw error;
      // Show the page again with today's counts: a book may have been added since it was opened.
      const author = await authors.getAuthorForRemoval(id);
      res.status(409);
      res.render('admin/author-delete', { title: `Remove ${author.name}?`, section: SECTION, author, message: error.message });
      return;
    }
    res.redirect(303, '/admin/authors');
  });

  return router;
}
