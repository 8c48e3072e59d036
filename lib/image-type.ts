import type { CoverType } from '../models/book-cover';

/**
 * The type of an uploaded image, read from its first bytes rather than its name or the browser's
 * claim: a PNG, JPEG or WebP signature, or null for anything else (including an HTML or SVG file
 * renamed to .png, which must never be served back from our origin as an image).
 */
export function detectImageType(data: Buffer): CoverType | null {
  if (data.length >= 8 && data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    return 'image/png';
  }
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  if (data.length >= 12 && data.toString('latin1', 0, 4) === 'RIFF' && data.toString('latin1', 8, 12) === 'WEBP') {
    return 'image/webp';
  }
  return null;
}
