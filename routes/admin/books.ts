import { Router, type Request, type Response } from 'express';
import type { Services } from '../../services';
import type { BookStatusFilter, UploadedCover } from '../../services/admin/books';
import { AppError, NotFoundError } from '../../lib/errors';
import { detectImageType } from '../../lib/image-type';
import { paginate } from '../../lib/pagination';
import { flash } from '../../middleware/flash';
import { BOOK_FIELDS, parseBookForm, stockSchema } from '../../validation/book';
import { fieldErrors, idSchema, parsePage, keptStrings } from '../../validation/common';

const PER_PAGE = 25;
/** A last name, a comma and a first name, each at most 100 characters (the columns' size). */
const MAX_AUTHOR_NAME = 210;
const STATUS_FILTERS: Record<string, BookStatusFilter> = { all: 'all', listed: 'listed', hidden: 'hidden' };

type FormValues = Partial<Record<(typeof BOOK_FIELDS)[number], string>>;

function bookId(value: string): number {
  const id = idSchema.safeParse(value);
  if (!id.success) throw new NotFoundError('There is no book with that number.');
  return id.data;
}

const keptValues = (body: unknown) => keptStrings(body, BOOK_FIELDS, 5000);

/** The uploaded cover, checked by its bytes; an error message for the form when it is not usable. */
function coverFrom(req: Request): { cover: UploadedCover | null; error?: string } {
  if (req.uploadError) return { cover: null, error: req.uploadError };
  const file = req.file;
  if (!file || file.size === 0) return { cover: null };
  const type = detectImageType(file.buffer);
  if (!type) return { cover: null, error: 'The cover must be a PNG, JPEG or WebP image.' };
  return { cover: { type, data: file.buffer } };
}

async function done(req: Request, res: Response, message: string, to: string) {
  flash(res, 'success', message);
  res.redirect(303, to);
}

export function bookRoutes({ admin }: Services): Router {
  const router = Router();
  const { books } = admin;

  async function renderForm(res: Response, options: { id?: number; values: FormValues; errors?: Record<string, string>; message?: string; inventoryWas?: string; authorSuggestions?: string[] }) {
    const [genres, book] = await Promise.all([
      books.genreChoices(),
      options.id ? books.get(options.id) : Promise.resolve(null),
    ]);
    res.render('admin/book-form', {
      title: book ? `Edit “${book.title}”` : 'Add a book',
      section: 'books',
      book,
      action: book ? `/admin/books/${book.id}` : '/admin/books',
      values: options.values,
      inventoryWas: options.inventoryWas ?? book?.values.inventory ?? '',
      // A few names, never the whole list of authors: the ones like what was typed, or the book's own.
      authorSuggestions: options.authorSuggestions ?? (options.values.authorName ? [options.values.authorName] : []),
      genres,
      errors: options.errors ?? {},
      message: options.message,
      history: book ? await admin.audit.listAudit({ page: 1, perPage: 10, entityType: 'book', entityId: book.id }) : null,
    });
  }

  /**
   * Validates the form and the upload together, so every mistake is shown at once. A typed author
   * name is looked up first: one author by that name is the book's author; otherwise the form comes
   * back with a few suggestions.
   */
  async function parseForm(req: Request) {
    const body: Record<string, unknown> = { ...(req.body ?? {}) };
    const typed = typeof body.authorName === 'string' ? body.authorName.trim() : '';
    let authorError: string | undefined;
    let authorSuggestions: string[] | undefined;
    if (typed.length > MAX_AUTHOR_NAME) {
      authorError = `Use at most ${MAX_AUTHOR_NAME} characters.`;
    } else if (typed) {
      const match = await books.authorByName(typed);
      if ('id' in match) {
        body.AuthorId = String(match.id);
      } else {
        body.AuthorId = '';
        authorSuggestions = match.suggestions;
        authorError = `We have no author named “${typed}”. ${match.suggestions.length > 0 ? 'Pick one of the suggestions' : 'Check the spelling'}, or clear this field and add a new author below.`;
      }
    }
    const parsed = parseBookForm(body);
    const upload = coverFrom(req);
    const errors = parsed.success ? {} : { ...parsed.errors };
    if (upload.error) errors.cover = upload.error;
    if (authorError) errors.AuthorId = authorError;
    return { parsed, upload, errors, failed: !parsed.success || Boolean(upload.error) || Boolean(authorError), authorSuggestions };
  }

  router.get('/', async (req, res) => {
    const q = typeof req.query.q === 'string' ? req.query.q.trim().slice(0, 100) : '';
    const status = STATUS_FILTERS[String(req.query.status)] ?? 'all';
    const list = await books.list({ q, status, page: parsePage(req.query.page), perPage: PER_PAGE });
    res.render('admin/books', {
      title: 'Books',
      section: 'books',
      q,
      statuses: Object.keys(STATUS_FILTERS).map((value) => ({ value, label: value[0].toUpperCase() + value.slice(1), selected: value === status })),
      books: list,
      pagination: paginate('/admin/books', { q: q || undefined, status: status === 'all' ? undefined : status }, list.page, list.pageCount),
    });
  });

  router.get('/new', async (_req, res) => {
    await renderForm(res, { values: {} });
  });

  router.post('/', async (req, res) => {
    const { parsed, upload, errors, failed, authorSuggestions } = await parseForm(req);
    if (!parsed.success || failed) {
      res.status(422);
      await renderForm(res, { values: keptValues(req.body), errors, message: 'Please correct the highlighted fields.', authorSuggestions });
      return;
    }
    try {
      const id = await books.create(req.account!, parsed.data, upload.cover);
      await done(req, res, `Added “${parsed.data.title}”.`, `/admin/books/${id}/edit`);
    } catch (error) {
      if (!(error instanceof AppError) || error.status !== 409) throw error;
      res.status(409);
      await renderForm(res, { values: keptValues(req.body), errors: error.fields, message: error.message });
    }
  });

  router.get('/:id/edit', async (req, res) => {
    const id = bookId(req.params.id);
    const book = await books.get(id);
    await renderForm(res, { id, values: book.values });
  });

  router.post('/:id', async (req, res) => {
    const id = bookId(req.params.id);
    await books.get(id);
    const { parsed, upload, errors, failed, authorSuggestions } = await parseForm(req);
    const inventoryWas = typeof req.body?.inventoryWas === 'string' && /^\d{1,6}$/.test(req.body.inventoryWas) ? Number(req.body.inventoryWas) : null;
    if (inventoryWas === null) errors.inventory ??= 'This form is out of date: reload the page and try again.';
    if (!parsed.success || failed || inventoryWas === null) {
      res.status(422);
      await renderForm(res, { id, values: keptValues(req.body), errors, message: 'Please correct the highlighted fields.', inventoryWas: req.body?.inventoryWas, authorSuggestions });
      return;
    }
    try {
      await books.update(req.account!, id, parsed.data, { inventoryWas: inventoryWas!, cover: upload.cover, removeCover: req.body?.removeCover === 'on' });
      await done(req, res, `Saved “${parsed.data.title}”.`, `/admin/books/${id}/edit`);
    } catch (error) {
      if (!(error instanceof AppError) || error.status !== 409) throw error;
      res.status(409);
      const current = await books.get(id);
      await renderForm(res, { id, values: keptValues(req.body), errors: error.fields, message: error.message, inventoryWas: current.values.inventory });
    }
  });

  router.post('/:id/stock', async (req, res) => {
    const id = bookId(req.params.id);
    const book = await books.get(id);
    const parsed = stockSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      res.status(422);
      await renderForm(res, { id, values: book.values, errors: fieldErrors(parsed.error), message: 'The stock was not changed: please check the change and the reason.' });
      return;
    }
    try {
      const now = await books.adjustStock(req.account!, id, parsed.data.change, parsed.data.reason);
      await done(req, res, `Stock of “${book.title}” is now ${now}.`, `/admin/books/${id}/edit`);
    } catch (error) {
      if (!(error instanceof AppError) || error.status !== 409) throw error;
      res.status(409);
      await renderForm(res, { id, values: book.values, errors: error.fields, message: error.message });
    }
  });

  router.get('/:id/delete', async (req, res) => {
    const book = await books.get(bookId(req.params.id));
    res.render('admin/book-delete', { title: `Remove “${book.title}”?`, section: 'books', book });
  });

  router.post('/:id/delete', async (req, res) => {
    const id = bookId(req.params.id);
    const book = await books.get(id);
    const outcome = await books.remove(req.account!, id);
    const message = outcome === 'hidden'
      ? `“${book.title}” is no longer in the store. Past orders still show it, so it is kept as a hidden book.`
      : `Deleted “${book.title}”.`;
    await done(req, res, message, '/admin/books');
  });

  router.post('/:id/restore', async (req, res) => {
    const id = bookId(req.params.id);
    const book = await books.get(id);
    await books.restore(req.account!, id);
    await done(req, res, `“${book.title}” is back in the store.`, `/admin/books/${id}/edit`);
  });

  return router;
}
