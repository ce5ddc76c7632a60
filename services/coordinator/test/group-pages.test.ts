import fc from 'fast-check';
import { ApiError } from '@sluice/protocol';
import {
  DEFAULT_GROUPS_PER_PAGE,
  MAX_GROUPS_PER_PAGE,
  decodeGroupPageToken,
  encodeGroupPageToken,
  pageOfGroups,
} from '../src/core/group-pages';

const group = (groupId: string, type = 'consumer'): { groupId: string; type: string } => ({ groupId, type });

function walk(groups: { groupId: string; type: string }[], maxGroups: number): string[][] {
  const pages: string[][] = [];
  let token = '';
  for (let n = 0; n < 10_000; n++) {
    const page = pageOfGroups(groups, token, maxGroups);
    pages.push(page.groups.map((g) => `${g.groupId}/${g.type}`));
    if (page.nextPageToken === '') return pages;
    token = page.nextPageToken;
  }
  throw new Error('paging did not end');
}

describe('ListGroups pages', () => {
  it('lists every group once in (id, type) order whatever the page size', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(fc.string({ maxLength: 4 }), fc.constantFrom('consumer', 'share')), {
          selector: ([id, type]) => `${id}\u0000${type}`,
          maxLength: 30,
        }),
        fc.integer({ min: 1, max: 7 }),
        (entries, maxGroups) => {
          const groups = entries.map(([id, type]) => group(id, type));
          const pages = walk(groups, maxGroups);
          const expected = [...groups]
            .sort((a, b) =>
              a.groupId !== b.groupId
                ? a.groupId < b.groupId
                  ? -1
                  : 1
                : a.type < b.type
                  ? -1
                  : a.type > b.type
                    ? 1
                    : 0,
            )
            .map((g) => `${g.groupId}/${g.type}`);
          expect(pages.flat()).toEqual(expected);
          for (const page of pages.slice(0, -1)) expect(page).toHaveLength(maxGroups);
        },
      ),
      { seed: 18, numRuns: 200 },
    );
  });

  it('resumes after the last group answered even if it was deleted meanwhile', () => {
    const first = pageOfGroups([group('a'), group('b'), group('c')], '', 2);
    expect(first.groups.map((g) => g.groupId)).toEqual(['a', 'b']);
    const second = pageOfGroups([group('a'), group('c'), group('d')], first.nextPageToken, 2);
    expect(second.groups.map((g) => g.groupId)).toEqual(['c', 'd']);
    expect(second.nextPageToken).toBe('');
  });

  it('defaults and caps the page size; refuses tokens it did not issue and negative sizes', () => {
    const many = Array.from({ length: MAX_GROUPS_PER_PAGE + 5 }, (_, i) => group(`g${String(i).padStart(6, '0')}`));
    expect(pageOfGroups(many, '', 0).groups).toHaveLength(DEFAULT_GROUPS_PER_PAGE);
    expect(pageOfGroups(many, '', 1_000_000).groups).toHaveLength(MAX_GROUPS_PER_PAGE);
    const named = (run: () => unknown): string => {
      try {
        run();
      } catch (error) {
        if (error instanceof ApiError) return error.errorName;
        throw error;
      }
      return 'accepted';
    };
    expect(named(() => pageOfGroups(many, '', -1))).toBe('INVALID_REQUEST');
    expect(named(() => pageOfGroups(many, 'not a token!', 1))).toBe('INVALID_REQUEST');
    expect(named(() => pageOfGroups(many, Buffer.from('{"a":1}').toString('base64url'), 1))).toBe('INVALID_REQUEST');
    expect(named(() => pageOfGroups(many, 'x'.repeat(5_000), 1))).toBe('INVALID_REQUEST');
    expect(decodeGroupPageToken(encodeGroupPageToken(group('ü/\n', 'share')))).toEqual(group('ü/\n', 'share'));
  });
});
