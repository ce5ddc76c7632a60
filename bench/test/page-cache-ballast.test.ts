import { parsePlan } from '../src/compare-workload';
import { memAvailableBytes } from '../src/page-cache-ballast';

describe('bench:compare --fill-page-cache', () => {
  it('is off unless asked for, and parsed as a flag without a value', () => {
    expect(parsePlan([]).fillPageCache).toBe(false);
    const plan = parsePlan(['--fill-page-cache', '--systems', 'sluice']);
    expect(plan.fillPageCache).toBe(true);
    expect(plan.systems).toEqual(['sluice']);
  });

  it("reads MemAvailable from /proc/meminfo's text, in bytes", () => {
    const meminfo =
      'MemTotal:       24683772 kB\nMemFree:        21602256 kB\nMemAvailable:   22990116 kB\nBuffers: 1 kB\n';
    expect(memAvailableBytes(meminfo)).toBe(22_990_116 * 1024);
    expect(memAvailableBytes('MemTotal: 1 kB\n')).toBeNull();
  });
});
