/**
 * Node flags of the benches' load process (every Node client in it: @sluice/client, kafkajs,
 * nats.js, ioredis), a stated setting: sluice's description under the table names them, as
 * Kafka's tools run on their stated JVM settings.
 *
 * `--external-memory-accounted-in-global-limit`: Buffers' bytes (record values, encoded batches,
 * received answers) count toward V8's global heap limit instead of a separate external-memory
 * limit, each 64 MiB step of which started an incremental mark-compact. A producer and a tailing
 * consumer at 5,000 records/s ran 11 mark-compacts in 8 s without it, 3 with it
 * (docs/performance.md section 29). The brokers (services/broker/node-flags) and the `sluice`
 * CLI run with it too.
 */
export const LOAD_PROCESS_NODE_FLAGS: readonly string[] = ['--external-memory-accounted-in-global-limit'];
