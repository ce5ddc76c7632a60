import fc from 'fast-check';
import { ConfigsDelta, ConfigsImage, type ConfigRecord, type ConfigResourceType } from '@sluice/metadata';
import { ReplicationThrottle, THROTTLE_SIDES, type ThrottleSide } from '../src/core/replication-throttle';

const BROKER = 2;

function configsOf(entries: readonly [ConfigResourceType, string, string, string | null][], base = ConfigsImage.EMPTY) {
  const delta = new ConfigsDelta(base);
  for (const [resourceType, resourceName, name, value] of entries) {
    const record: ConfigRecord = { type: 'Config', resourceType, resourceName, name, value };
    delta.replay(record);
  }
  return delta.apply();
}

describe('ReplicationThrottle (leader/follower.replication.throttled.rate and .replicas)', () => {
  it('throttles only the listed replicas of this broker, only out of the ISR, only with a rate', () => {
    const throttle = new ReplicationThrottle(BROKER);
    const listed = configsOf([
      ['topic', 'moved', 'leader.replication.throttled.replicas', '0:1,0:2,1:3'],
      ['topic', 'moved', 'follower.replication.throttled.replicas', '1:2'],
      ['topic', 'everything', 'leader.replication.throttled.replicas', '*'],
      ['topic', 'none', 'leader.replication.throttled.replicas', ''],
    ]);
    throttle.applyConfigs(listed, 0);
    // No rate anywhere: nothing is throttled, whatever the lists say.
    expect(throttle.isThrottled('leader', 'moved', 0, false)).toBe(false);
    expect(throttle.mayThrottle('leader', 'moved')).toBe(false);
    expect(throttle.rateBytesPerSecond('leader')).toBeNull();

    const rated = configsOf(
      [
        ['broker', String(BROKER), 'leader.replication.throttled.rate', '1000'],
        ['cluster', '', 'follower.replication.throttled.rate', '500'],
        ['broker', '7', 'follower.replication.throttled.rate', '1'],
      ],
      listed,
    );
    throttle.applyConfigs(rated, 0);
    expect(throttle.rateBytesPerSecond('leader')).toBe(1000);
    expect(throttle.rateBytesPerSecond('follower')).toBe(500); // the cluster default; broker 7's is not ours
    expect(throttle.isThrottled('leader', 'moved', 0, false)).toBe(true);
    expect(throttle.isThrottled('leader', 'moved', 0, true)).toBe(false); // in sync: never
    expect(throttle.isThrottled('leader', 'moved', 1, false)).toBe(false); // 1:3 is broker 3's
    expect(throttle.isThrottled('follower', 'moved', 1, false)).toBe(true);
    expect(throttle.isThrottled('follower', 'moved', 0, false)).toBe(false);
    expect(throttle.isThrottled('leader', 'everything', 41, false)).toBe(true);
    expect(throttle.isThrottled('leader', 'none', 0, false)).toBe(false);
    expect(throttle.isThrottled('leader', 'unknown', 0, false)).toBe(false);
    // mayThrottle: no for a topic without a list (callers then skip the ISR lookup), and never no
    // where isThrottled could say yes.
    expect(throttle.mayThrottle('follower', 'moved')).toBe(true);
    expect(throttle.mayThrottle('leader', 'unknown')).toBe(false);
    expect(throttle.mayThrottle('follower', 'everything')).toBe(false);
    for (const side of ['leader', 'follower'] as const)
      for (const topic of ['moved', 'everything', 'none', 'unknown'])
        for (let partition = 0; partition < 4; partition++)
          if (throttle.isThrottled(side, topic, partition, false)) expect(throttle.mayThrottle(side, topic)).toBe(true);

    // The broker's own rate wins over the cluster default; removing it falls back to the default.
    const own = configsOf([['broker', String(BROKER), 'follower.replication.throttled.rate', '2000']], rated);
    throttle.applyConfigs(own, 0);
    expect(throttle.rateBytesPerSecond('follower')).toBe(2000);
    throttle.applyConfigs(configsOf([['broker', String(BROKER), 'follower.replication.throttled.rate', null]], own), 0);
    expect(throttle.rateBytesPerSecond('follower')).toBe(500);

    // Removing the lists (what `sluice topic reassign --verify` does) un-throttles at once.
    throttle.applyConfigs(
      configsOf(
        [
          ['topic', 'moved', 'leader.replication.throttled.replicas', null],
          ['topic', 'moved', 'follower.replication.throttled.replicas', null],
        ],
        rated,
      ),
      0,
    );
    expect(throttle.isThrottled('leader', 'moved', 0, false)).toBe(false);
    expect(throttle.isThrottled('follower', 'moved', 1, false)).toBe(false);
    expect(throttle.isThrottled('leader', 'everything', 0, false)).toBe(true);
  });

  it('holds reads while bytes are owed, charges them after the read, and re-prices on a rate change', () => {
    const throttle = new ReplicationThrottle(BROKER);
    const configs = configsOf([
      ['broker', String(BROKER), 'leader.replication.throttled.rate', '1000'],
      ['topic', 't', 'leader.replication.throttled.replicas', '*'],
    ]);
    throttle.applyConfigs(configs, 0);
    expect(throttle.maxReadBytes('leader')).toBe(1000);
    expect(throttle.waitMs('leader', 0)).toBe(0);
    throttle.record('leader', 1000, 0);
    expect(throttle.waitMs('leader', 250)).toBe(750);
    expect(throttle.waitMs('follower', 250)).toBe(0); // the sides are separate
    throttle.heldBack('leader');
    expect(throttle.counts('leader')).toEqual({ throttledBytes: 1000, heldBackReads: 1 });
    // Doubling the rate halves what is still owed.
    throttle.applyConfigs(
      configsOf([['broker', String(BROKER), 'leader.replication.throttled.rate', '2000']], configs),
      250,
    );
    expect(throttle.waitMs('leader', 250)).toBe(375);
    expect(throttle.maxReadBytes('leader')).toBe(2000);
    // The same image again changes nothing (images are immutable: same object, same configs).
    const sameImage = configsOf([['broker', String(BROKER), 'leader.replication.throttled.rate', '2000']], configs);
    throttle.applyConfigs(sameImage, 250);
    throttle.applyConfigs(sameImage, 250);
    expect(throttle.waitMs('leader', 250)).toBe(375);
    // Without a rate, nothing is owed or charged.
    throttle.applyConfigs(ConfigsImage.EMPTY, 300);
    expect(throttle.waitMs('leader', 300)).toBe(0);
    throttle.record('leader', 5, 300);
    expect(throttle.counts('leader').throttledBytes).toBe(1000);
    expect(() => throttle.record('leader', -1, 300)).toThrow();
  });

  it('ignores values this broker cannot read instead of stalling (the controller validates them)', () => {
    const throttle = new ReplicationThrottle(BROKER);
    throttle.applyConfigs(
      configsOf([
        ['cluster', '', 'leader.replication.throttled.rate', 'fast'],
        ['cluster', '', 'follower.replication.throttled.rate', '9223372036854775807'],
        ['topic', 't', 'follower.replication.throttled.replicas', '0-2'],
      ]),
      0,
    );
    for (const side of THROTTLE_SIDES) expect(throttle.rateBytesPerSecond(side)).toBeNull();
    expect(throttle.isThrottled('follower', 't', 0, false)).toBe(false);
  });

  it('a copy held to the rule (read only when nothing is owed) takes at least (bytes - one read) / rate', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<ThrottleSide>('leader', 'follower'),
        fc.integer({ min: 1_000, max: 50_000_000 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 200 }),
        (side, rate, reads, pollMs) => {
          const throttle = new ReplicationThrottle(BROKER);
          const name = side === 'leader' ? 'leader' : 'follower';
          throttle.applyConfigs(
            configsOf([
              ['broker', String(BROKER), `${name}.replication.throttled.rate`, String(rate)],
              ['topic', 't', `${name}.replication.throttled.replicas`, `0:${BROKER}`],
            ]),
            0,
          );
          let nowMs = 0;
          let copied = 0;
          let largest = 0;
          for (let i = 0; i < reads; i++) {
            const waitMs = throttle.waitMs(side, nowMs);
            if (waitMs > 0) {
              throttle.heldBack(side);
              nowMs += Math.max(waitMs, pollMs);
            }
            expect(throttle.isThrottled(side, 't', 0, false)).toBe(true);
            const bytes = throttle.maxReadBytes(side);
            throttle.record(side, bytes, nowMs);
            copied += bytes;
            largest = Math.max(largest, bytes);
          }
          expect(nowMs).toBeGreaterThanOrEqual(((copied - largest) * 1000) / rate - 1e-6);
          expect(throttle.counts(side).throttledBytes).toBe(copied);
        },
      ),
      { numRuns: 200 },
    );
  });
});
