import { z } from 'zod';

/** Where we ship: the 50 states and DC, by their postal codes. */
export const US_STATES: ReadonlyArray<readonly [code: string, name: string]> = [
  ['AL', 'Alabama'], ['AK', 'Alaska'], ['AZ', 'Arizona'], ['AR', 'Arkansas'], ['CA', 'California'],
  ['CO', 'Colorado'], ['CT', 'Connecticut'], ['DE', 'Delaware'], ['DC', 'District of Columbia'],
  ['FL', 'Florida'], ['GA', 'Georgia'], ['HI', 'Hawaii'], ['ID', 'Idaho'], ['IL', 'Illinois'],
  ['IN', 'Indiana'], ['IA', 'Iowa'], ['KS', 'Kansas'], ['KY', 'Kentucky'], ['LA', 'Louisiana'],
  ['ME', 'Maine'], ['MD', 'Maryland'], ['MA', 'Massachusetts'], ['MI', 'Michigan'], ['MN', 'Minnesota'],
  ['MS', 'Mississippi'], ['MO', 'Missouri'], ['MT', 'Montana'], ['NE', 'Nebraska'], ['NV', 'Nevada'],
  ['NH', 'New Hampshire'], ['NJ', 'New Jersey'], ['NM', 'New Mexico'], ['NY', 'New York'],
  ['NC', 'North Carolina'], ['ND', 'North Dakota'], ['OH', 'Ohio'], ['OK', 'Oklahoma'], ['OR', 'Oregon'],
  ['PA', 'Pennsylvania'], ['RI', 'Rhode Island'], ['SC', 'South Carolina'], ['SD', 'South Dakota'],
  ['TN', 'Tennessee'], ['TX', 'Texas'], ['UT', 'Utah'], ['VT', 'Vermont'], ['VA', 'Virginia'],
  ['WA', 'Washington'], ['WV', 'West Virginia'], ['WI', 'Wisconsin'], ['WY', 'Wyoming'],
];
const STATE_CODES = new Set(US_STATES.map(([code]) => code));

// Control characters have no place in a shipping label.
const text = (label: string, min: number, max: number) =>
  z
    .string({ error: `Enter your ${label}.` })
    .trim()
    .min(1, `Enter your ${label}.`)
    .min(min, `Your ${label} looks too short.`)
    .max(max, `Keep your ${label} under ${max + 1} characters.`)
    .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), `Your ${label} contains characters we cannot print.`);

export const shippingSchema = z.object({
  fullName: text('full name', 2, 120),
  email: z
    .string({ error: 'Enter your email address.' })
    .trim()
    .min(1, 'Enter your email address.')
    .max(254, 'That email address is too long.')
    .pipe(z.email('Enter an email address like name@example.com.')),
  addressLine1: text('street address', 3, 120),
  addressLine2: z
    .string({ error: 'Address line 2 must be text.' })
    .trim()
    .max(120, 'Keep address line 2 under 121 characters.')
    .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), 'Address line 2 contains characters we cannot print.')
    .optional()
    .transform((v) => (v ? v : null)),
  city: text('city', 2, 80),
  state: z
    .string({ error: 'Choose your state.' })
    .trim()
    .toUpperCase()
    .refine((v) => STATE_CODES.has(v), 'Choose your state from the list.'),
  zipCode: z
    .string({ error: 'Enter your ZIP code.' })
    .trim()
    .regex(/^\d{5}(-\d{4})?$/, 'Enter a 5-digit ZIP code, like 10001 or 10001-1234.'),
});

export type ShippingInput = z.input<typeof shippingSchema>;
export const SHIPPING_FIELDS = ['fullName', 'email', 'addressLine1', 'addressLine2', 'city', 'state', 'zipCode'] as const;
