import { Router } from 'express';
import type { Services } from '../../services';
import { SORTS, type SortKey } from '../../services/catalog';
import { BadRequestError } from '../../lib/errors';
import { bookListQuery } from '../../validation/api';
import { bookDetail, bookList, genreList } from './representations';
import { onlyMethods, parseInput } from './guards';
import { pathId } from './params';

function sortFrom(value: string | undefined): SortKey {
  return value !== undefined && Object.hasOwn(SORTS, value) ? (value as SortKey) : 'title';
}

/** The catalog, read-only: the same listings, search and book as the store's pages. */
export function apiBookRoutes({ catalog }: Services): Router {
  const router = Router();

  router
    .route('/books')
    .get(async (req, res) => {
      const query = parseInput(bookListQuery, req.query, 'Some query parameters are not valid.');
      const { page, perPage } = query;
      if (query.q !== undefined) {
        // Search has its own (relevance) order and no category filter, on the pages as here.
        if (query.genre !== undefined) {
          throw new BadRequestError('A search cannot be limited to one category.', { genre: 'Cannot be combined with q.' });
        }
        res.json(bookList(await catalog.searchBooks(query.q, { page, perPage })));
        return;
      }
      const sort = sortFrom(query.sort);
      const books = query.genre !== undefined
        ? (await catalog.booksInGenre(query.genre, { page, perPage, sort })).books
        : await catalog.listBooks({ page, perPage, sort });
      res.json(bookList(books));
    })
    .all(onlyMethods('GET'));

  router
    .route('/books/:id')
    .get(async (req, res) => {
      res.json(bookDetail(await catalog.getBook(pathId(req.params.id, 'id', 'book'))));
    })
    .all(onlyMethods('GET'));

  router
    .route('/genres')
    .get(async (_req, res) => {
      res.json(genreList(await catalog.listGenres()));
    })
    .all(onlyMethods('GET'));

  return router;
}
