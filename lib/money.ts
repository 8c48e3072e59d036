/**
 * Money is integer cents in code. The database holds DECIMAL(10,2), which arrives as a string from
 * MySQL and as a number from SQLite, so we parse its decimal text rather than multiplying floats.
 */
export function toCents(value: string | number): number {
  const text = typeof value === 'number' ? value.toFixed(2) : value.trim();
  const match = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(text);
  if (!match) throw new TypeError(`Not a money amount: ${JSON.stringify(value)}`);
  const [, sign, whole, fraction = ''] = match;
  const cents = Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
  return sign && cents !== 0 ? -cents : cents;
}

/** Cents as the decimal text the database stores: 3250 → "32.50". */
export function centsToDecimal(cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new TypeError(`Not a whole number of cents: ${cents}`);
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** Cents for people: 3250 → "$32.50", 123456 → "$1,234.56". */
export function formatPrice(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const [whole, fraction] = centsToDecimal(Math.abs(cents)).split('.');
  return `${sign}$${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${fraction}`;
}
