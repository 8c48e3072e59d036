import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { slugify } from '../../lib/slug';

describe('slugify', () => {
  const cases: Array<[string, string]> = [
    ["Children's Books", 'childrens-books'],
    ['Children’s Books', 'childrens-books'],
    ['NYT Bestsellers', 'nyt-bestsellers'],
    ['Top 9', 'top-9'],
    ['Brontë', 'bronte'],
    ['Les Misérables', 'les-miserables'],
    ['Crème Brûlée à la Façon', 'creme-brulee-a-la-facon'],
    ['Social Justice', 'social-justice'],
    ['The Great Gatsby', 'the-great-gatsby'],
    ['Catch-22', 'catch-22'],
    ['  Leading and trailing  ', 'leading-and-trailing'],
    ['Multiple   spaces\tand\nbreaks', 'multiple-spaces-and-breaks'],
    ['Harry Potter & the Sorcerer’s Stone', 'harry-potter-the-sorcerers-stone'],
    ['1984', '1984'],
    ['ﬁnal', 'final'],
  ];
  for (const [input, expected] of cases) {
    test(`${JSON.stringify(input)} → ${JSON.stringify(expected)}`, () => {
      assert.equal(slugify(input), expected);
    });
  }

  for (const input of ['', '!!!', ' - ', '&*()', "''", '—–']) {
    test(`punctuation-only ${JSON.stringify(input)} gives an empty slug`, () => {
      assert.equal(slugify(input), '');
    });
  }

  test('output only ever contains lowercase letters, digits and single inner hyphens', () => {
    const samples = ['A--B', '--x--', 'Émile Zola: J’accuse!', 'Über alles', 'a_b_c', 'ÀÉÎÕÜ 123 !? ok', 'x.y/z\\w'];
    for (const sample of samples) {
      const slug = slugify(sample);
      assert.match(slug, /^(?:[a-z0-9]+(?:-[a-z0-9]+)*)?$/, `${sample} → ${slug}`);
    }
  });

  test('is idempotent', () => {
    for (const sample of ["Children's Books", 'Brontë', 'Top 9', 'A -- B']) {
      const once = slugify(sample);
      assert.equal(slugify(once), once);
    }
  });
});
