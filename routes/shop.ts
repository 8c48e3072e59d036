import { Router } from 'express';
import type { Services } from '../services';
import { SEARCH_MAX_LENGTH, SORTS, type SortKey } from '../services/catalog';
import { renderCover } from '../services/covers';
import { NotFoundError } from '../lib/errors';
import { paginate } from '../lib/pagination';
import { parseBookParam, parsePage } from '../validation/common';
import { renderPage } from '../middleware/page-cache';

const PER_PAGE = 24;
const GALLERY_PER_PAGE = 48;

function sortFrom(value: unknown): SortKey {
  return typeof value === 'string' && Object.hasOwn(SORTS, value) ? (value as SortKey) : 'title';
}

const sortOptions = (current: SortKey) =>
  Object.entries(SORTS).map(([value, { label }]) => ({ value, label, selected: value === current }));

/**
 * Generated covers: public and cacheable, so they are mounted before sessions, CSRF and page locals
 * and never carry a cookie.
 */
export function coverRoutes({ catalog }: Services): Router {
  const router = Router();
  router.get('/books/:id/cover.:extension', async (req, res) => {
    const id = parseBookParam(req.params.id);
    const { extension } = req.params;
    if (id === null) throw new NotFoundError('There is no such cover.');
    // Cover URLs carry the book's version (?v=), so a changed cover gets a new URL and can be cached.
    const cacheable = 'public, max-age=86400';
    if (extension === 'svg') {
      const book = await catalog.coverFacts(id);
      if (!book) throw new NotFoundError('There is no such cover.');
      res.set('Cache-Control', cacheable).type('image/svg+xml').send(renderCover(book));
      return;
    }
    const image = await catalog.coverImage(id, extension);
    if (!image) throw new NotFoundError('There is no such cover.');
    // The type was checked from the file's own bytes at upload; nosniff (from helmet) keeps browsers to it.
    res.set('Cache-Control', cacheable).type(image.mimeType).send(image.data);
  });

  return router;
}

/** The catalog pages: home, categories, the full list, the gallery, search and a book. */
export function shopRoutes({ catalog, pages }: Services): Router {
  const router = Router();

  router.get('/', async (req, res) => {
    await renderPage(pages, req, res, 'home', { title: 'Discover Your Next Great Read', featured: await catalog.featuredBooks() });
  });

  router.get('/category/:slug', async (req, res) => {
    const sort = sortFrom(req.query.sort);
    const { genre, books } = await catalog.booksInGenre(req.params.slug, { page: parsePage(req.query.page), sort, perPage: PER_PAGE });
    await renderPage(pages, req, res, 'category', {
      title: genre.name,
      genre,
      books,
      sorts: sortOptions(sort),
      pagination: paginate(genre.url, { sort: sort === 'title' ? undefined : sort }, books.page, books.pageCount),
    });
  });

  router.get('/books', async (req, res) => {
    const sort = sortFrom(req.query.sort);
    const books = await catalog.listBooks({ page: parsePage(req.query.page), sort, perPage: PER_PAGE });
    await renderPage(pages, req, res, 'books', {
      title: 'All books',
      books,
      sorts: sortOptions(sort),
      pagination: paginate('/books', { sort: sort === 'title' ? undefined : sort }, books.page, books.pageCount),
    });
  });

  router.get('/gallery', async (req, res) => {
    const books = await catalog.listBooks({ page: parsePage(req.query.page), sort: 'title', perPage: GALLERY_PER_PAGE });
    await renderPage(pages, req, res, 'gallery', { title: 'Gallery', books, pagination: paginate('/gallery', {}, books.page, books.pageCount) });
  });

  router.get('/search', async (req, res) => {
    const raw = typeof req.query.q === 'string' ? req.query.q.trim() : '';
    if (!raw) {
      await renderPage(pages, req, res, 'search', { title: 'Search', query: '', empty: true });
      return;
    }
    if (raw.length > SEARCH_MAX_LENGTH) {
      await renderPage(pages, req, res, 'search', { title: 'Search', query: raw.slice(0, SEARCH_MAX_LENGTH), searchQuery: raw.slice(0, SEARCH_MAX_LENGTH), tooLong: true, max: SEARCH_MAX_LENGTH });
      return;
    }
    const results = await catalog.searchBooks(raw, { page: parsePage(req.query.page), perPage: PER_PAGE });
    await renderPage(pages, req, res, 'search', {
      title: `Search: ${raw}`,
      query: raw,
      searchQuery: raw,
      results,
      pagination: paginate('/search', { q: raw }, results.page, results.pageCount),
    });
  });

  router.get('/books/:param', async (req, res) => {
    const id = parseBookParam(req.params.param);
    if (id === null) throw new NotFoundError('We could not find that book.');
    const book = await catalog.getBook(id);
    // One address per book: /books/12 and stale slugs redirect to the current one.
    if (req.path !== book.url) {
      res.redirect(301, book.url);
      return;
    }
    await renderPage(pages, req, res, 'book', { title: book.title, book }, { bookId: book.id, count: book.inventory });
  });

  return router;
}
