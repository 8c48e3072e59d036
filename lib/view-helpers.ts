import { formatPrice } from './money';
import { assetUrl } from './assets';

// Built once: toLocaleDateString with options builds (and leaves for the garbage collector) a new ICU
// formatter, with native memory V8 does not count, on every call.
const LONG_DATE = new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' });

/** Handlebars helpers. Each returns plain text, which Handlebars escapes like any other value. */
export const viewHelpers = {
  price: (cents: number) => formatPrice(Number(cents) || 0),
  eq: (a: unknown, b: unknown) => a === b,
  plural: (count: number, singular: string, plural: string) => (count === 1 ? singular : plural),
  date: (value: Date | string) => {
    const date = new Date(value);
    // format() throws on an invalid date, where toLocaleDateString said so: a page must not fail on it.
    return Number.isNaN(date.getTime()) ? 'Invalid Date' : LONG_DATE.format(date);
  },
  year: () => new Date().getUTCFullYear(),
  /** A stylesheet's or script's URL with its content version: `{{asset 'css/app.css'}}`. */
  asset: (name: string) => assetUrl(name),
};
