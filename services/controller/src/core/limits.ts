/**
 * Every bound and default the controller core uses, in one place. Kafka's names and values
 * where Kafka has the setting.
 */

/** Kafka's broker.session.timeout.ms default: a broker silent this long is fenced. */
export const DEFAULT_BROKER_SESSION_TIMEOUT_MS = 9_000;

/** Producer ids handed to a broker per AllocateProducerIds, as Kafka's ProducerIdsBlock.PRODUCER_ID_BLOCK_SIZE. */
export const PRODUCER_ID_BLOCK_SIZE = 1_000;

/**
 * Records one user operation may produce (Kafka's MAX_RECORDS_PER_USER_OP). Bigger requests are
 * refused with POLICY_VIOLATION so one request cannot stall the metadata log.
 */
export const MAX_RECORDS_PER_USER_OP = 10_000;

/**
 * PartitionChange records one broker-driven operation writes at most: fencing on lease expiry,
 * a broker asking to be fenced, re-registration, controlled shutdown. A broker leading tens of
 * thousands of partitions is moved off in chunks of this many, each its own Raft entry, so no
 * single decision holds the leader's event loop (and Raft's heartbeats) for long and no entry
 * nears MAX_RECORDS_PER_ENTRY. Kafka splits such results into batches too (non-atomic results,
 * max records per batch); here each chunk is decided on the image left by the previous one.
 */
export const DEFAULT_MAX_PARTITION_CHANGES_PER_OPERATION = 2_000;

/** Registered brokers the core tracks; a registration beyond this is refused. */
export const MAX_BROKERS = 10_000;

/** Replicas per partition (Kafka has no hard limit; a replica list this long is a mistake). */
export const MAX_REPLICATION_FACTOR = 64;

/** Topics or partitions named in one request. */
export const MAX_REQUEST_ENTRIES = 10_000;

/** Listeners per broker registration. */
export const MAX_LISTENERS = 32;
/** Log directories one broker may report at registration (Kafka's log.dirs, KIP-858 directory ids). */
export const MAX_LOG_DIRS = 256;
/** min.insync.replicas of a topic that sets none, when the controller's configuration does not either. */
export const DEFAULT_MIN_INSYNC_REPLICAS = 1;

/** Config entries changed in one alterConfigs call or given to one created topic. */
export const MAX_CONFIG_CHANGES = 256;

/** Bytes of one config value (Kafka has none; the metadata codec caps strings anyway). */
export const MAX_CONFIG_VALUE_LENGTH = 4_096;

/** Kafka's num.partitions and default.replication.factor defaults. */
export const DEFAULT_NUM_PARTITIONS = 1;
export const DEFAULT_REPLICATION_FACTOR = 1;

/**
 * The finalized `metadata.version` a new cluster starts at. sluice numbers its own metadata
 * versions (its records are not Kafka's bytes): level 1 = the record versions in RECORD_TYPES.
 */
export const METADATA_VERSION_FEATURE = 'metadata.version';
export const BOOTSTRAP_METADATA_VERSION = 1;
