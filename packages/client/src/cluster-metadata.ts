/**
 * What a producer or consumer knows of the cluster: brokers and their addresses, each topic's
 * partitions with leader and leader epoch, learned from any broker's Metadata answer; and one
 * grpc-js channel per broker address.
 *
 * - `bootstrap` lists broker addresses (`host:port`), as Kafka's `bootstrap.servers`; after the
 *   first answer the known brokers are asked too, so losing the bootstrap broker is survivable.
 * - Refreshes are coalesced: everyone asking while one is running waits for that one, then a new
 *   one starts if more topics were asked for. A refresh for topics adds them to the topics kept
 *   up to date (bounded by `maxTopics`, least recently used dropped).
 * - `metadata.max.age.ms`: a refresh is forced when the newest answer is older than this.
 * - An answer older than what we have (lower metadata offset) is ignored for the topics it
 *   shares, so a lagging broker cannot move a leader back.
 */
import { ApiError, isApiErrorName } from '@sluice/protocol';
import { GrpcClientPool, formatHostPort, fromGrpcError, unaryCall, type ClientSecurity } from '@sluice/proto';
import type { BrokerClient, BrokerEndpoint__Output, MetadataResponse__Output } from '@sluice/proto';
import { parseBootstrap } from './controller-channel';
import { collectTopicPages } from './topic-pages';
import type { PartitionAvailability } from './partitioner';

export interface ClusterMetadataOptions {
  readonly bootstrap: string | readonly string[];
  /** TLS and bearer token; default: the process default (plaintext unless set). */
  readonly security?: ClientSecurity;
  /** `metadata.max.age.ms` (Kafka default 300000). */
  readonly metadataMaxAgeMs?: number;
  /** Bound on one Metadata call. Default 5 s. */
  readonly requestTimeoutMs?: number;
  /** Bound on topics kept up to date. Default 10,000. */
  readonly maxTopics?: number;
  /** Listener whose address clients use; default the broker's first listener. */
  readonly listenerName?: string;
  /** Partitions per Metadata answer (0, the default: the broker's, 2,000); the pages are joined. */
  readonly partitionsPerPage?: number;
}

export interface PartitionLeader {
  readonly partition: number;
  /** -1: none now. */
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
}

export interface TopicMetadata {
  readonly name: string;
  readonly topicId: string;
  readonly partitions: readonly PartitionLeader[];
  /** Metadata offset of the answer this came from. */
  readonly metadataOffset: number;
}

/** A Kafka error a topic came back with (UNKNOWN_TOPIC_OR_PARTITION, ...): the topic's entry is dropped. */
export interface TopicError {
  readonly name: string;
  readonly error: ApiError;
}

export class ClusterMetadata {
  readonly bootstrap: readonly string[];
  private readonly metadataMaxAgeMs: number;
  private readonly requestTimeoutMs: number;
  private readonly maxTopics: number;
  private readonly partitionsPerPage: number;
  private readonly listenerName: string | undefined;
  private readonly clients: GrpcClientPool<'Broker'>;
  private readonly brokers = new Map<number, string>();
  /** Topics kept up to date, in recency order. */
  private readonly wanted = new Map<string, true>();
  private readonly topics = new Map<string, TopicMetadata>();
  private readonly topicErrors = new Map<string, ApiError>();
  /** partitionsForPartitioner's answers, dropped whenever topics or brokers change (at most one per topic kept). */
  private readonly availability = new Map<string, readonly PartitionAvailability[]>();
  private clusterIdValue = '';
  private lastRefreshMs = 0;
  private refreshing: Promise<void> | null = null;
  private nextRefresh: Promise<void> | null = null;
  private nextAddress = 0;
  private closed = false;
  /** Refreshes made (tests and stats read this). */
  refreshes = 0;

  constructor(options: ClusterMetadataOptions) {
    this.bootstrap = parseBootstrap(options.bootstrap);
    this.clients = new GrpcClientPool('Broker', {
      ...(options.security === undefined ? {} : { security: options.security }),
    });
    this.metadataMaxAgeMs = options.metadataMaxAgeMs ?? 300_000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 5_000;
    this.maxTopics = options.maxTopics ?? 10_000;
    this.partitionsPerPage = options.partitionsPerPage ?? 0;
    this.listenerName = options.listenerName;
  }

  get clusterId(): string {
    return this.clusterIdValue;
  }

  /** The topic as last seen, or undefined (never asked, unknown, or forgotten). */
  topic(name: string): TopicMetadata | undefined {
    return this.topics.get(name);
  }

  /** The error the last answer gave for this topic, if any. */
  topicError(name: string): ApiError | undefined {
    return this.topicErrors.get(name);
  }

  /**
   * The topic's partitions as the partitioner takes them. The producer asks once per record, so
   * the answer is built once per metadata answer and shared (frozen): at 6,000 partitions a fresh
   * array per record was two thirds of a producer's CPU.
   */
  partitionsForPartitioner(name: string): readonly PartitionAvailability[] | undefined {
    const cached = this.availability.get(name);
    if (cached !== undefined) return cached;
    const topic = this.topics.get(name);
    if (topic === undefined) return undefined;
    const built = Object.freeze(
      topic.partitions.map((p) =>
        Object.freeze({ partition: p.partition, hasLeader: p.leader >= 0 && this.brokers.has(p.leader) }),
      ),
    );
    this.availability.set(name, built);
    return built;
  }

  leaderFor(
    topic: string,
    partition: number,
  ): { readonly brokerId: number; readonly leaderEpoch: number; readonly address: string } | undefined {
    const entry = this.topics.get(topic)?.partitions[partition];
    if (entry === undefined || entry.leader < 0) return undefined;
    const address = this.brokers.get(entry.leader);
    return address === undefined ? undefined : { brokerId: entry.leader, leaderEpoch: entry.leaderEpoch, address };
  }

  /** Known broker ids with addresses. */
  brokerAddresses(): ReadonlyMap<number, string> {
    return this.brokers;
  }

  isStale(nowMs: number = Date.now()): boolean {
    return nowMs - this.lastRefreshMs >= this.metadataMaxAgeMs;
  }

  /** A channel to `address` (cached). */
  client(address: string): BrokerClient {
    if (this.closed) throw new ApiError('NETWORK_EXCEPTION', 'the client is closed');
    return this.clients.client(address);
  }

  /** Any broker: a known one if any, else the next bootstrap address (rotating). */
  anyBrokerAddress(): string {
    const known = [...this.brokers.values()];
    const candidates = known.length > 0 ? known : this.bootstrap;
    return candidates[this.nextAddress++ % candidates.length] as string;
  }

  /**
   * Refreshes the metadata of the topics wanted so far plus `topics`. Resolves when an answer
   * that was asked after this call arrived; rejects with the last error when no broker (known or
   * bootstrap) answered.
   */
  async refresh(topics: readonly string[] = []): Promise<void> {
    for (const topic of topics) {
      this.wanted.delete(topic);
      this.wanted.set(topic, true);
    }
    while (this.wanted.size > this.maxTopics) {
      const oldest = this.wanted.keys().next().value as string;
      this.wanted.delete(oldest);
      this.topics.delete(oldest);
      this.availability.delete(oldest);
      this.topicErrors.delete(oldest);
    }
    // Whoever asks while a refresh runs shares the next one: the running one may predate the ask.
    if (this.refreshing !== null) {
      this.nextRefresh ??= this.refreshing
        .catch(() => undefined)
        .then(() => {
          this.nextRefresh = null;
          return this.startRefresh();
        });
      return this.nextRefresh;
    }
    return this.startRefresh();
  }

  private startRefresh(): Promise<void> {
    const current: Promise<void> = this.fetchOnce().finally(() => {
      if (this.refreshing === current) this.refreshing = null;
    });
    this.refreshing = current;
    return current;
  }

  private async fetchOnce(): Promise<void> {
    const names = [...this.wanted.keys()];
    const candidates = [...new Set([...this.brokers.values(), ...this.bootstrap])];
    let lastError: ApiError | undefined;
    for (let attempt = 0; attempt < candidates.length; attempt++) {
      const address = candidates[(this.nextAddress + attempt) % candidates.length] as string;
      try {
        // An empty list asks for every topic; with nothing wanted yet ask for a name no topic has.
        // Every page from the same broker; a topic split across pages is joined before applying.
        const topics = names.length > 0 ? names : ['__sluice_no_topic__'];
        const { topics: joined, pages } = await collectTopicPages<
          MetadataResponse__Output['topics'][number]['partitions'][number],
          MetadataResponse__Output['topics'][number],
          MetadataResponse__Output
        >((cursor) =>
          unaryCall(
            this.client(address),
            'Metadata',
            { topics, cursor, responsePartitionLimit: this.partitionsPerPage },
            { timeoutMs: this.requestTimeoutMs },
          ),
        );
        const last = pages[pages.length - 1] as MetadataResponse__Output;
        // The oldest page's offset: a page read from an older image must not look newer than it is.
        const metadataOffset = pages.reduce(
          (lowest, page) => (BigInt(page.metadataOffset) < BigInt(lowest) ? page.metadataOffset : lowest),
          last.metadataOffset,
        );
        this.apply({ ...last, topics: joined, metadataOffset });
        this.nextAddress += attempt;
        return;
      } catch (error) {
        lastError = error instanceof ApiError ? error : fromGrpcError(error);
        if (this.closed) throw lastError;
      }
    }
    this.nextAddress++;
    throw new ApiError(
      'NETWORK_EXCEPTION',
      `no broker answered Metadata (tried ${candidates.join(',')}): ${lastError?.message ?? 'no address'}`,
    );
  }

  private apply(answer: MetadataResponse__Output): void {
    this.refreshes++;
    this.lastRefreshMs = Date.now();
    this.clusterIdValue = answer.clusterId;
    const metadataOffset = Number(answer.metadataOffset);
    // Leaders and brokers may move with any answer: availability is rebuilt on the next ask.
    this.availability.clear();
    if (answer.brokers.length > 0) {
      this.brokers.clear();
      for (const broker of answer.brokers) {
        const address = this.addressOf(broker);
        if (address !== undefined) this.brokers.set(broker.brokerId, address);
      }
    }
    for (const topic of answer.topics) {
      if (topic.name === '__sluice_no_topic__') continue;
      if (topic.errorName !== '') {
        const name =
          isApiErrorName(topic.errorName) && topic.errorName !== 'NONE' ? topic.errorName : 'UNKNOWN_SERVER_ERROR';
        this.topicErrors.set(
          topic.name,
          new ApiError(name, topic.errorMessage || `topic ${topic.name}: ${topic.errorName}`),
        );
        this.topics.delete(topic.name);
        continue;
      }
      const known = this.topics.get(topic.name);
      if (known !== undefined && known.topicId === topic.topicId && known.metadataOffset > metadataOffset) continue;
      this.topicErrors.delete(topic.name);
      const partitions = [...topic.partitions]
        .sort((a, b) => a.partition - b.partition)
        .map((p) => ({
          partition: p.partition,
          leader: p.leader,
          leaderEpoch: p.leaderEpoch,
          replicas: p.replicas,
          isr: p.isr,
        }));
      // Partition ids are dense (0..n-1); the index lookups above rely on it.
      if (partitions.some((p, i) => p.partition !== i))
        throw new ApiError(
          'UNKNOWN_SERVER_ERROR',
          `topic ${topic.name}: partition ids are not 0..${partitions.length - 1}`,
        );
      this.topics.set(topic.name, { name: topic.name, topicId: topic.topicId, partitions, metadataOffset });
    }
  }

  private addressOf(broker: BrokerEndpoint__Output): string | undefined {
    const listener =
      (this.listenerName === undefined ? undefined : broker.listeners.find((l) => l.name === this.listenerName)) ??
      broker.listeners[0];
    if (listener === undefined) return undefined;
    return formatHostPort(listener.host, listener.port);
  }

  close(): void {
    this.closed = true;
    this.clients.close();
  }
}
