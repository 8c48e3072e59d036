import { z } from 'zod';
import type { BookDetail as CatalogBookDetail, BookSummary as CatalogBook, Genre, Page } from '../../services/catalog';
import type { CartView } from '../../services/cart';
import type { OrderView } from '../../services/checkout';
import { MAX_LINE_QUANTITY } from '../../services/cart';
import { ORDER_STATUSES } from '../../models/checkout';
import { formatPrice } from '../../lib/money';

/**
 * What the API answers, as zod schemas: the mappers below are typed by them, and the OpenAPI
 * document is generated from them, so the code and the document cannot drift apart silently.
 */
export const responseSchemas = z.registry<{ id: string; description?: string }>();

const count = z.int().min(0);

const Money = z
  .object({
    cents: z.int(),
    formatted: z.string(),
    currency: z.literal('USD'),
  })
  .register(responseSchemas, { id: 'Money', description: 'An amount in whole cents (no floating point), with the text the store shows for it.' });

const BookSummary = z
  .object({
    id: z.int().min(1),
    title: z.string(),
    author: z.object({ id: z.int().min(1), name: z.string() }),
    genre: z.object({ name: z.string(), slug: z.string() }),
    pubYear: z.int().nullable(),
    price: Money,
    stock: count,
    inStock: z.boolean(),
    maxQuantity: count.max(MAX_LINE_QUANTITY).meta({ description: 'The most copies one cart line may hold now: the stock, and never more than 99.' }),
    url: z.string().meta({ description: 'The book\'s page on this site (a path).' }),
    coverUrl: z.string().meta({ description: 'The cover image (a path).' }),
  })
  .register(responseSchemas, { id: 'BookSummary' });

const BookDetail = BookSummary.extend({
  description: z.string(),
  moreByAuthor: z.array(BookSummary),
}).register(responseSchemas, { id: 'BookDetail' });

const BookResponse = z.object({ book: BookDetail }).register(responseSchemas, { id: 'BookResponse' });

const BookListResponse = z
  .object({
    books: z.array(BookSummary),
    page: z.int().min(1),
    perPage: z.int().min(1),
    pageCount: z.int().min(1),
    total: count,
  })
  .register(responseSchemas, { id: 'BookListResponse' });

const GenreListResponse = z
  .object({ genres: z.array(z.object({ name: z.string(), slug: z.string(), bookCount: count })) })
  .register(responseSchemas, { id: 'GenreListResponse' });

const LineBook = z.object({ id: z.int().min(1), title: z.string(), authorName: z.string(), url: z.string() });

const Cart = z
  .object({
    lines: z.array(
      z.object({
        book: LineBook,
        quantity: z.int().min(1),
        maxQuantity: z.int().min(1).max(MAX_LINE_QUANTITY),
        exceedsStock: z.boolean().meta({ description: 'Stock fell below this quantity after it was added: lower it before checking out.' }),
        unitPrice: Money,
        lineTotal: Money,
      }),
    ),
    itemCount: count,
    subtotal: Money,
    hasStockProblem: z.boolean(),
  })
  .register(responseSchemas, { id: 'Cart', description: 'The open cart at today\'s prices.' });

const CartResponse = z
  .object({
    cart: Cart,
    csrfToken: z.string().min(1).meta({ description: 'Send it back in the X-CSRF-Token header on writes made with the session cookie.' }),
  })
  .register(responseSchemas, { id: 'CartResponse' });

const Order = z
  .object({
    id: z.int().min(1),
    number: z.string(),
    status: z.enum(ORDER_STATUSES),
    placedAt: z.iso.datetime(),
    lines: z.array(
      z.object({
        book: LineBook,
        quantity: z.int().min(1),
        unitPrice: Money,
        lineTotal: Money,
      }),
    ),
    itemCount: count,
    subtotal: Money,
    shipping: z.object({
      fullName: z.string(),
      email: z.string(),
      addressLine1: z.string(),
      addressLine2: z.string().nullable(),
      city: z.string(),
      state: z.string(),
      zipCode: z.string(),
    }),
  })
  .register(responseSchemas, { id: 'Order', description: 'A placed order; its lines keep the prices it was placed at.' });

const OrderResponse = z.object({ order: Order }).register(responseSchemas, { id: 'OrderResponse' });

// Only described here: middleware/errors.ts writes every error in this shape.
z
  .object({
    error: z.object({
      code: z.string().meta({ description: 'Stable and machine-readable: bad_request, invalid, not_found, out_of_stock, empty_cart, csrf, …' }),
      message: z.string().meta({ description: 'For people; safe to show.' }),
      fields: z.record(z.string(), z.string()).optional().meta({ description: 'One message per offending field or parameter.' }),
    }),
  })
  .register(responseSchemas, { id: 'Error' });

export function money(cents: number): z.infer<typeof Money> {
  return { cents, formatted: formatPrice(cents), currency: 'USD' };
}

export function bookSummary(book: CatalogBook): z.infer<typeof BookSummary> {
  return {
    id: book.id,
    title: book.title,
    author: { id: book.authorId, name: book.authorName },
    genre: { name: book.genre, slug: book.genreSlug },
    pubYear: book.pubYear,
    price: money(book.priceCents),
    stock: book.inventory,
    inStock: book.inStock,
    maxQuantity: Math.max(0, Math.min(book.inventory, MAX_LINE_QUANTITY)),
    url: book.url,
    coverUrl: book.coverUrl,
  };
}

export function bookDetail(book: CatalogBookDetail): z.infer<typeof BookResponse> {
  return { book: { ...bookSummary(book), description: book.description, moreByAuthor: book.otherBooksByAuthor.map(bookSummary) } };
}

export function bookList(page: Page<CatalogBook>): z.infer<typeof BookListResponse> {
  return { books: page.items.map(bookSummary), page: page.page, perPage: page.perPage, pageCount: page.pageCount, total: page.total };
}

export function genreList(genres: Genre[]): z.infer<typeof GenreListResponse> {
  return { genres: genres.map((g) => ({ name: g.name, slug: g.slug, bookCount: g.count })) };
}

export function cartBody(cart: CartView, csrfToken: string): z.infer<typeof CartResponse> {
  return {
    cart: {
      lines: cart.lines.map((line) => ({
        book: { id: line.bookId, title: line.title, authorName: line.authorName, url: line.url },
        quantity: line.quantity,
        maxQuantity: line.maxQuantity,
        exceedsStock: line.exceedsStock,
        unitPrice: money(line.unitPriceCents),
        lineTotal: money(line.lineTotalCents),
      })),
      itemCount: cart.itemCount,
      subtotal: money(cart.subtotalCents),
      hasStockProblem: cart.hasStockProblem,
    },
    csrfToken,
  };
}

export function orderBody(order: OrderView): z.infer<typeof OrderResponse> {
  return {
    order: {
      id: order.id,
      number: order.number,
      status: order.status,
      placedAt: order.placedAt.toISOString(),
      lines: order.lines.map((line) => ({
        book: { id: line.bookId, title: line.title, authorName: line.authorName, url: line.url },
        quantity: line.quantity,
        unitPrice: money(line.unitPriceCents),
        lineTotal: money(line.lineTotalCents),
      })),
      itemCount: order.itemCount,
      subtotal: money(order.subtotalCents),
      shipping: { ...order.shipping },
    },
  };
}
