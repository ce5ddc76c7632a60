/**
 * The topic pattern of `Consumer.subscribe(RegExp)`, sent to the coordinator as
 * `subscribed_topic_regex` (KIP-848: the coordinator resolves it, not the client).
 *
 * Kafka 4's coordinator compiles it with RE2/J; sluice's coordinator uses JavaScript's RegExp.
 * To mean the same on both we accept only the common subset: a pattern without flags and without
 * what RE2 lacks (lookahead/lookbehind, backreferences). The pattern must match a whole topic
 * name (the coordinator anchors it, as Kafka's `matcher.matches()`), and internal topics
 * (`__consumer_offsets`, ...) never match.
 */
import { ApiError } from '@sluice/protocol';

/** Longest pattern we send (the coordinator stores it with every member's subscription). */
export const MAX_TOPIC_REGEX_LENGTH = 1_024;

/** The pattern's source, or INVALID_REQUEST naming what is not portable. */
export function topicRegexSource(pattern: RegExp): string {
  if (!(pattern instanceof RegExp)) throw new ApiError('INVALID_REQUEST', 'a topic pattern must be a RegExp');
  if (pattern.flags !== '')
    throw new ApiError(
      'INVALID_REQUEST',
      `topic pattern /${pattern.source}/${pattern.flags}: flags are not supported (Kafka's RE2/J patterns have none; use (?:[Aa]) style classes)`,
    );
  const source = pattern.source;
  if (source === '(?:)' || source === '') throw new ApiError('INVALID_REQUEST', 'topic pattern is empty');
  if (source.length > MAX_TOPIC_REGEX_LENGTH)
    throw new ApiError('INVALID_REQUEST', `topic pattern is longer than ${MAX_TOPIC_REGEX_LENGTH} characters`);
  const unsupported = unportableConstruct(source);
  if (unsupported !== null)
    throw new ApiError(
      'INVALID_REQUEST',
      `topic pattern /${source}/ uses ${unsupported}, which RE2 (Kafka's regex engine) does not support`,
    );
  return source;
}

/** The first construct RE2 lacks, scanning outside character classes and escapes; null when none. */
export function unportableConstruct(source: string): string | null {
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      const next = source[i + 1] ?? '';
      if (!inClass && /[1-9]/.test(next)) return `a backreference \\${next}`;
      if (!inClass && next === 'k' && source[i + 2] === '<') return 'a named backreference \\k<...>';
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      continue;
    }
    if (c === '(' && source[i + 1] === '?') {
      const rest = source.slice(i + 2, i + 4);
      if (rest.startsWith('=') || rest.startsWith('!')) return 'a lookahead (?= or (?!';
      if (rest === '<=' || rest === '<!') return 'a lookbehind (?<= or (?<!';
    }
  }
  return null;
}
