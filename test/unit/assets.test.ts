import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../config';
import { assetUrl, isCurrentAssetUrl } from '../../lib/assets';

const hashOf = (file: string) => createHash('sha256').update(readFileSync(path.join(projectRoot, file))).digest('hex').slice(0, 12);

test('an asset URL carries the hash of the file it names, under public/ or the vendored Pico', () => {
  assert.equal(assetUrl('css/app.css'), `/assets/css/app.css?v=${hashOf('public/css/app.css')}`);
  assert.equal(assetUrl('js/app.js'), `/assets/js/app.js?v=${hashOf('public/js/app.js')}`);
  assert.equal(
    assetUrl('vendor/pico/pico.red.min.css'),
    `/assets/vendor/pico/pico.red.min.css?v=${hashOf('node_modules/@picocss/pico/css/pico.red.min.css')}`,
  );
  assert.notEqual(assetUrl('css/app.css'), assetUrl('js/app.js'));
});

test('names that leave the asset folders, or do not exist, are refused', () => {
  assert.throws(() => assetUrl('../package.json'), /Not an asset name/);
  assert.throws(() => assetUrl('css//app.css'), /Not an asset name/);
  assert.throws(() => assetUrl('css/nope.css'), /ENOENT/);
});

test('only the version of the file this process serves marks a URL as versioned', () => {
  const current = assetUrl('css/app.css');
  const version = current.slice(-12);
  assert.equal(isCurrentAssetUrl(current), true);
  assert.equal(isCurrentAssetUrl(`/assets/css/app.css?x=1&v=${version}`), true);
  assert.equal(isCurrentAssetUrl(`/assets/vendor/pico/pico.red.min.css?v=${assetUrl('vendor/pico/pico.red.min.css').slice(-12)}`), true);
  // Well-formed but not this file's: made up, another file's, or a newer deploy's (rolling restart).
  assert.equal(isCurrentAssetUrl('/assets/css/app.css?v=0123456789ab'), false);
  assert.equal(isCurrentAssetUrl(`/assets/js/app.js?v=${version}`), false);
  assert.equal(isCurrentAssetUrl('/assets/css/app.css'), false);
  assert.equal(isCurrentAssetUrl('/assets/css/app.css?v=1'), false);
  assert.equal(isCurrentAssetUrl(`/assets/css/app.css?v=${version}XYZ`), false);
  assert.equal(isCurrentAssetUrl(`/assets/css/app.css?nov=${version}`), false);
  // Other spellings of the path, a missing file, or bad escapes: never, and nothing thrown.
  assert.equal(isCurrentAssetUrl(`/assets/css/./app.css?v=${version}`), false);
  assert.equal(isCurrentAssetUrl(`/assets/css/../css/app.css?v=${version}`), false);
  assert.equal(isCurrentAssetUrl(`/assets/css/nope.css?v=${version}`), false);
  assert.equal(isCurrentAssetUrl(`/assets/css/%E0%A4%A.css?v=${version}`), false);
});
