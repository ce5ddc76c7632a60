/**
 * What the group members of one process share about the coordinators: one gRPC client (one
 * channel) per coordinator address, and FindCoordinator's answer per group.
 *
 * Why: each member used to make its own clients and ask FindCoordinator itself, so 2,500 members
 * in a process made 2,500 channels per coordinator (each with its own resolver and load balancer)
 * and 2,500 lookups whose answer was the same; the bench's worker profiles put a quarter of the
 * members' CPU there (docs/performance.md section 34). Kafka's consumers each hold their own
 * connections, but a Kafka consumer is one per application thread; ours are cheap objects, many
 * to a process, so the process holds the channels, as its other clients do (GrpcClientPool).
 *
 * The FindCoordinator answer is cached per (bootstrap list, group id) and a lookup in flight is
 * shared by every member asking meanwhile. A member that meets a routing error at an address
 * (NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, ...) forgets it (`forget`), as before, and so does
 * the cache when it still holds that address: the next lookup asks again. An older answer never
 * replaces a forgotten one's successor (forget names the address it drops).
 *
 * Reference-counted per security setting: the clients close when the last member using them
 * leaves, as each member's own clients did when it left.
 */
import { GrpcClientPool, defaultClientSecurity, type ClientSecurity, type CoordinatorClient } from '@sluice/proto';
import { findCoordinator } from './coordinator-lookup';

/** Groups whose coordinator is cached, at most (the oldest answer is dropped beyond it). */
const MAX_CACHED_GROUPS = 10_000;

type CachedAnswer = { readonly address: string } | { readonly pending: Promise<string> };

export class SharedCoordinators {
  private static readonly bySecurity = new Map<ClientSecurity, SharedCoordinators>();

  /**
   * The shared clients for `security` (absent: the process default at this moment); call
   * `release` once when done with them.
   */
  static acquire(security: ClientSecurity | undefined): SharedCoordinators {
    const key = security ?? defaultClientSecurity();
    let shared = SharedCoordinators.bySecurity.get(key);
    if (shared === undefined) {
      shared = new SharedCoordinators(key);
      SharedCoordinators.bySecurity.set(key, shared);
    }
    shared.users++;
    return shared;
  }

  private readonly clients: GrpcClientPool<'Coordinator'>;
  private readonly answers = new Map<string, CachedAnswer>();
  private users = 0;
  private nextBootstrap = 0;
  /** FindCoordinator RPCs sent (tests read this). */
  lookups = 0;

  private constructor(private readonly security: ClientSecurity) {
    this.clients = new GrpcClientPool('Coordinator', { security });
  }

  client(address: string): CoordinatorClient {
    return this.clients.client(address);
  }

  /**
   * The address of `groupId`'s coordinator: the cached answer, the lookup in flight, or a new
   * FindCoordinator (starting at the next bootstrap address, so one dead address is not always
   * asked first). A failed lookup is not cached.
   */
  find(groupId: string, bootstrap: readonly string[], timeoutMs: number): Promise<string> {
    const cacheKey = `${bootstrap.join(',')}\u0000${groupId}`;
    const cached = this.answers.get(cacheKey);
    if (cached !== undefined) return 'address' in cached ? Promise.resolve(cached.address) : cached.pending;
    this.lookups++;
    const pending = findCoordinator(groupId, {
      bootstrap,
      client: (address) => this.client(address),
      timeoutMs,
      startAt: this.nextBootstrap++ % bootstrap.length,
    }).then(
      (address) => {
        if (this.answers.get(cacheKey) === entry) this.answers.set(cacheKey, { address });
        return address;
      },
      (error: unknown) => {
        if (this.answers.get(cacheKey) === entry) this.answers.delete(cacheKey);
        throw error;
      },
    );
    const entry: CachedAnswer = { pending };
    if (this.answers.size >= MAX_CACHED_GROUPS) {
      const oldest = this.answers.keys().next().value;
      if (oldest !== undefined) this.answers.delete(oldest);
    }
    this.answers.set(cacheKey, entry);
    return pending;
  }

  /** `address` did not serve `groupId`: drop the cached answer if it is still that address. */
  forget(groupId: string, bootstrap: readonly string[], address: string): void {
    const cacheKey = `${bootstrap.join(',')}\u0000${groupId}`;
    const cached = this.answers.get(cacheKey);
    if (cached !== undefined && 'address' in cached && cached.address === address) this.answers.delete(cacheKey);
  }

  /** One user is done: the last one closes the clients and drops the answers. */
  release(): void {
    if (this.users <= 0) throw new Error('SharedCoordinators.release: released more often than acquired');
    this.users--;
    if (this.users > 0) return;
    this.clients.close();
    this.answers.clear();
    if (SharedCoordinators.bySecurity.get(this.security) === this) SharedCoordinators.bySecurity.delete(this.security);
  }
}
