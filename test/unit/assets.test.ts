import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../config';
import { assetUrl, isVersionedAsset } from '../../lib/assets';

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

test('only a full-length version marks a URL as versioned', () => {
  assert.equal(isVersionedAsset(assetUrl('css/app.css')), true);
  assert.equal(isVersionedAsset('/assets/css/app.css?x=1&v=0123456789ab'), true);
  assert.equal(isVersionedAsset('/assets/css/app.css'), false);
  assert.equal(isVersionedAsset('/assets/css/app.css?v=1'), false);
  assert.equal(isVersionedAsset('/assets/css/app.css?v=0123456789abXYZ'), false);
  assert.equal(isVersionedAsset('/assets/css/app.css?nov=0123456789ab'), false);
});
