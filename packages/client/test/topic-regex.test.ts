/** subscribe(RegExp): which patterns are sent to the coordinator, and which are refused as not RE2-portable. */
import { ApiError } from '@sluice/protocol';
import { topicRegexSource, unportableConstruct } from '../src/topic-regex';

function refusal(pattern: RegExp): string {
  try {
    topicRegexSource(pattern);
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).errorName).toBe('INVALID_REQUEST');
    return (error as ApiError).message;
  }
  throw new Error(`${String(pattern)} was accepted`);
}

describe('topicRegexSource', () => {
  it('sends the source of portable patterns', () => {
    expect(topicRegexSource(/orders-.*/)).toBe('orders-.*');
    expect(topicRegexSource(/(?:eu|us)-[a-z]+\.events/)).toBe('(?:eu|us)-[a-z]+\\.events');
    // Escaped parentheses and a '(' inside a class are not groups.
    expect(topicRegexSource(/a\(\?=b\)[(?=]/)).toBe('a\\(\\?=b\\)[(?=]');
    // \1 inside a character class is an octal escape, not a backreference.
    expect(unportableConstruct('[\\1]x')).toBeNull();
  });

  it('refuses flags, lookaround, backreferences and empty patterns', () => {
    expect(refusal(/orders/i)).toContain('flags are not supported');
    expect(refusal(/orders(?=-eu)/)).toContain('lookahead');
    expect(refusal(/orders(?!-eu)/)).toContain('lookahead');
    expect(refusal(/(?<=x)y/)).toContain('lookbehind');
    expect(refusal(/(a)\1/)).toContain('backreference');
    expect(refusal(/(?<n>a)\k<n>/)).toContain('named backreference');
    expect(refusal(new RegExp(''))).toContain('empty');
  });
});
