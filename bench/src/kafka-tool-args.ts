/**
 * How Apache Kafka's own tools are called where the release matters. Pure: a version in, the
 * command line's arguments out.
 */

export function parseKafkaVersion(version: string): { major: number; minor: number; patch: number } {
  const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  if (match === null) throw new RangeError(`not a Kafka release version: ${JSON.stringify(version)}`);
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]) };
}

/**
 * EndToEndLatency's arguments: up to Kafka 4.1 positional (`broker_list topic num_messages
 * producer_acks message_size_bytes`, its usage line in 4.1.1, which refuses the flags); 4.3.1's
 * took named flags (the bench ran it so). 4.2 is taken to be like 4.3: not checked.
 */
export function endToEndLatencyArgs(
  version: string,
  bootstrap: string,
  topic: string,
  records: number,
  acks: string,
  recordBytes: number,
): string[] {
  const { major, minor } = parseKafkaVersion(version);
  if (major < 4 || (major === 4 && minor <= 1)) return [bootstrap, topic, String(records), acks, String(recordBytes)];
  return [
    '--bootstrap-server',
    bootstrap,
    '--topic',
    topic,
    '--num-records',
    String(records),
    '--producer-acks',
    acks,
    '--record-size',
    String(recordBytes),
  ];
}
