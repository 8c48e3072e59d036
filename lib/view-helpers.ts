import { formatPrice } from './money';
import { assetUrl } from './assets';

/** Handlebars helpers. Each returns plain text, which Handlebars escapes like any other value. */
export const viewHelpers = {
  price: (cents: number) => formatPrice(Number(cents) || 0),
  eq: (a: unknown, b: unknown) => a === b,
  plural: (count: number, singular: string, plural: string) => (count === 1 ? singular : plural),
  date: (value: Date | string) =>
    new Date(value).toLocaleDateString('en-US', { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' }),
  year: () => new Date().getUTCFullYear(),
  /** A stylesheet's or script's URL with its content version: `{{asset 'css/app.css'}}`. */
  asset: (name: string) => assetUrl(name),
};
