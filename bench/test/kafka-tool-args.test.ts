import { endToEndLatencyArgs, parseKafkaVersion } from '../src/kafka-tool-args';

describe("EndToEndLatency's arguments", () => {
  it('are positional up to Kafka 4.1 (its usage line in 4.1.1)', () => {
    expect(endToEndLatencyArgs('4.1.1', '127.0.0.1:9092', 't', 1000, 'all', 1024)).toEqual([
      '127.0.0.1:9092',
      't',
      '1000',
      'all',
      '1024',
    ]);
    expect(endToEndLatencyArgs('4.0.2', 'b', 't', 1, '1', 16)).toEqual(['b', 't', '1', '1', '16']);
  });

  it('are named flags in later releases', () => {
    expect(endToEndLatencyArgs('4.3.1', 'b', 't', 1000, 'all', 1024)).toEqual([
      '--bootstrap-server',
      'b',
      '--topic',
      't',
      '--num-records',
      '1000',
      '--producer-acks',
      'all',
      '--record-size',
      '1024',
    ]);
  });

  it('refuse a version that is not a release', () => {
    expect(parseKafkaVersion('4.10.0')).toEqual({ major: 4, minor: 10, patch: 0 });
    expect(() => endToEndLatencyArgs('latest', 'b', 't', 1, 'all', 16)).toThrow(/not a Kafka release version/);
  });
});
