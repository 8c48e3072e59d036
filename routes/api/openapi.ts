import { z } from 'zod';
import { addItemBody, bookListQuery, checkoutBody, setQuantityBody } from '../../validation/api';
import { responseSchemas } from './representations';

type JsonObject = Record<string, unknown>;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: JsonObject) => ({ 'application/json': { schema } });

// Each schema stands alone as a component; its own $schema and $id would only confuse readers.
function component(schema: JsonObject): JsonObject {
  const { $schema: _dialect, $id: _id, ...rest } = schema;
  return rest;
}

function componentSchemas(): Record<string, JsonObject> {
  const generated = z.toJSONSchema(responseSchemas, { uri: (id) => `#/components/schemas/${id}` }).schemas;
  const schemas: Record<string, JsonObject> = {};
  for (const [name, schema] of Object.entries(generated)) schemas[name] = component(schema as JsonObject);
  // Requests are described as clients send them (before defaults and trimming apply).
  const requests = { AddItemRequest: addItemBody, SetQuantityRequest: setQuantityBody, CheckoutRequest: checkoutBody };
  for (const [name, schema] of Object.entries(requests)) {
    schemas[name] = component(z.toJSONSchema(schema, { io: 'input' }) as JsonObject);
  }
  return schemas;
}

function queryParameters(): JsonObject[] {
  return Object.entries(bookListQuery.shape).map(([name, schema]) => {
    const { description, ...rest } = component(z.toJSONSchema(schema, { io: 'input' }) as JsonObject);
    return { name, in: 'query', required: false, description, schema: rest };
  });
}

const errorResponse = (description: string) => ({ description, content: json(ref('Error')) });

const idParameter = (name: string, what: string) => ({
  name,
  in: 'path',
  required: true,
  description: `The ${what}'s id. Anything but a whole number from 1 is a 400.`,
  schema: { type: 'integer', minimum: 1, maximum: 2147483647 },
});

const csrfHeader = {
  name: 'X-CSRF-Token',
  in: 'header',
  required: false,
  description: 'Required when the request carries the session cookie: the csrfToken from a cart response (with the epicbook.csrf cookie it set).',
  schema: { type: 'string' },
};

const cartWrite = (summary: string, extra: JsonObject) => ({
  summary,
  parameters: [csrfHeader],
  ...extra,
  responses: {
    200: { description: 'The cart after the change.', content: json(ref('CartResponse')) },
    400: errorResponse('A malformed book id, an unknown field, or a body that is not a JSON object.'),
    403: errorResponse('The session cookie was sent without a valid X-CSRF-Token header.'),
    404: errorResponse('No such book in the store (or in this cart, for a change or a removal).'),
    ...('requestBody' in extra ? { 422: errorResponse('The quantity is not a whole number from 1 to 99.') } : {}),
    ...('requestBody' in extra ? { 409: errorResponse('Not that many copies in stock (code out_of_stock).') } : {}),
    415: errorResponse('The body is not sent as application/json.'),
  },
});

const anyOtherError = errorResponse(
  'Any other error, in the same shape: 405 (a method the path does not serve, with Allow), 413 (body over 16 KB), '
  + '429 (too many requests), 500 (our fault; no details are given) or 503 (the database is unreachable; with Retry-After).',
);

// Every operation can meet the generic errors; each lists its own specific statuses.
function withDefaultErrors(paths: Record<string, Record<string, JsonObject>>) {
  for (const item of Object.values(paths)) {
    for (const operation of Object.values(item)) {
      operation.responses = { ...(operation.responses as JsonObject), default: anyOtherError };
    }
  }
  return paths;
}

/** The OpenAPI 3.1 description of /api, generated from the same schemas the routes use. */
export function openApiDocument(): JsonObject {
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'TheEpicBook API',
      version: '1.0.0',
      description: [
        'The bookstore\'s catalog, cart and checkout as JSON, with the same rules as its pages.',
        'Money is an object: integer cents, the formatted text, and the currency (always USD).',
        'The cart belongs to the session cookie (epicbook.sid), shared with the pages. A write without that cookie starts a new guest session;',
        'a write with it must send the X-CSRF-Token header (csrfToken from GET /api/cart) and the epicbook.csrf cookie that came with it.',
        'Writes with a body must be application/json (else 415); bodies are limited to 16 KB (else 413).',
        'Every error is {"error": {"code", "message", "fields"?}}, also for unknown paths (404) and wrong methods (405, with Allow).',
      ].join(' '),
    },
    paths: withDefaultErrors({
      '/api/books': {
        get: {
          summary: 'List, filter or search the books in the store',
          parameters: queryParameters(),
          responses: {
            200: { description: 'One page of books.', content: json(ref('BookListResponse')) },
            400: errorResponse('A parameter is not valid, or genre is combined with q.'),
            404: errorResponse('No category has that slug.'),
          },
        },
      },
      '/api/books/{id}': {
        get: {
          summary: 'One book, with more by its author',
          parameters: [idParameter('id', 'book')],
          responses: {
            200: { description: 'The book.', content: json(ref('BookResponse')) },
            400: errorResponse('The id is not a whole number from 1.'),
            404: errorResponse('No such book, or it was removed from the store.'),
          },
        },
      },
      '/api/genres': {
        get: {
          summary: 'The categories, with how many books each has',
          responses: { 200: { description: 'Every category, by name.', content: json(ref('GenreListResponse')) } },
        },
      },
      '/api/cart': {
        get: {
          summary: 'The session\'s cart, and a CSRF token for writes',
          responses: {
            200: {
              description: 'The cart (empty without a session). Sets the epicbook.csrf cookie that goes with csrfToken.',
              content: json(ref('CartResponse')),
            },
          },
        },
      },
      '/api/cart/items': {
        post: cartWrite('Add copies of a book (the first add creates the cart and the session)', {
          requestBody: { required: true, content: json(ref('AddItemRequest')) },
        }),
      },
      '/api/cart/items/{bookId}': {
        patch: cartWrite('Set the quantity of a book already in the cart', {
          parameters: [idParameter('bookId', 'book'), csrfHeader],
          requestBody: { required: true, content: json(ref('SetQuantityRequest')) },
        }),
        delete: cartWrite('Remove a book from the cart', { parameters: [idParameter('bookId', 'book'), csrfHeader] }),
      },
      '/api/checkout': {
        post: {
          summary: 'Place the cart as an order',
          parameters: [csrfHeader],
          requestBody: { required: true, content: json(ref('CheckoutRequest')) },
          responses: {
            201: {
              description: 'The order. Location names it at /api/orders/{id}.',
              headers: { Location: { schema: { type: 'string' } } },
              content: json(ref('OrderResponse')),
            },
            400: errorResponse('An unknown field, or a body that is not a JSON object.'),
            403: errorResponse('The session cookie was sent without a valid X-CSRF-Token header.'),
            409: errorResponse('The cart is empty (empty_cart), or stock ran out (out_of_stock).'),
            415: errorResponse('The body is not sent as application/json.'),
            422: errorResponse('A shipping field is missing or not valid; fields says which.'),
          },
        },
      },
      '/api/orders/{id}': {
        get: {
          summary: 'An order placed from this session or account',
          parameters: [idParameter('id', 'order')],
          responses: {
            200: { description: 'The order.', content: json(ref('OrderResponse')) },
            400: errorResponse('The id is not a whole number from 1.'),
            404: errorResponse('No such order, or it was placed by someone else (the two are not told apart).'),
          },
        },
      },
      '/api/openapi.json': {
        get: {
          summary: 'This document',
          responses: { 200: { description: 'OpenAPI 3.1.', content: { 'application/json': { schema: { type: 'object' } } } } },
        },
      },
    }),
    components: { schemas: componentSchemas() },
  };
}
