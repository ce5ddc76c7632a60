import { crc32c } from '@sluice/protocol';

describe('crc32c', () => {
  it('matches the standard check value for "123456789"', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  });

  it('continues from an initial value like a single pass', () => {
    const whole = Buffer.from('hello, sluice');
    expect(crc32c(whole.subarray(5), crc32c(whole.subarray(0, 5)))).toBe(crc32c(whole));
  });
});
