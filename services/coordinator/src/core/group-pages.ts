/**
 * ListGroups pages: groups in (group id, type) order, at most a page's worth per answer, and an
 * opaque token naming the last one answered so the next answer resumes right after it (groups
 * created or deleted between pages neither repeat nor hide the others).
 */
import { ApiError } from '@sluice/protocol';

/** Groups per answer when the caller does not say. */
export const DEFAULT_GROUPS_PER_PAGE = 1_000;
/** The most a caller may ask for per answer; more is cut to this. */
export const MAX_GROUPS_PER_PAGE = 10_000;
/** A token longer than this was not made by us (group ids are bounded far below). */
const MAX_PAGE_TOKEN_LENGTH = 4_096;

export interface ListedGroupEntry {
  readonly groupId: string;
  readonly type: string;
}

export interface GroupPage<G extends ListedGroupEntry> {
  readonly groups: G[];
  /** '' on the last page. */
  readonly nextPageToken: string;
}

function compareGroups(a: ListedGroupEntry, b: ListedGroupEntry): number {
  if (a.groupId !== b.groupId) return a.groupId < b.groupId ? -1 : 1;
  return a.type < b.type ? -1 : a.type > b.type ? 1 : 0;
}

export function encodeGroupPageToken(last: ListedGroupEntry): string {
  return Buffer.from(JSON.stringify([last.groupId, last.type]), 'utf8').toString('base64url');
}

/** The group a token names; INVALID_REQUEST for anything not made by `encodeGroupPageToken`. */
export function decodeGroupPageToken(token: string): ListedGroupEntry {
  const refuse = (): never => {
    throw new ApiError(
      'INVALID_REQUEST',
      `page token ${JSON.stringify(token.slice(0, 64))} was not issued by ListGroups`,
    );
  };
  if (token.length > MAX_PAGE_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+$/.test(token)) return refuse();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    return refuse();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2 || typeof parsed[0] !== 'string' || typeof parsed[1] !== 'string')
    return refuse();
  return { groupId: parsed[0], type: parsed[1] };
}

/** The page after `pageToken` ('' = the first) of `groups` (any order), `maxGroups` (0 = default) long. */
export function pageOfGroups<G extends ListedGroupEntry>(
  groups: readonly G[],
  pageToken: string,
  maxGroups: number,
): GroupPage<G> {
  if (!Number.isSafeInteger(maxGroups) || maxGroups < 0)
    throw new ApiError('INVALID_REQUEST', `max groups ${maxGroups} must be 0 (default) or positive`);
  const limit = maxGroups === 0 ? DEFAULT_GROUPS_PER_PAGE : Math.min(maxGroups, MAX_GROUPS_PER_PAGE);
  const after = pageToken === '' ? null : decodeGroupPageToken(pageToken);
  const sorted = [...groups].sort(compareGroups);
  let start = 0;
  if (after !== null) {
    // First group strictly after the token's (binary search).
    let high = sorted.length;
    while (start < high) {
      const mid = (start + high) >>> 1;
      if (compareGroups(sorted[mid] as G, after) <= 0) start = mid + 1;
      else high = mid;
    }
  }
  const page = sorted.slice(start, start + limit);
  const last = page[page.length - 1];
  const more = start + limit < sorted.length;
  return { groups: page, nextPageToken: more && last !== undefined ? encodeGroupPageToken(last) : '' };
}
