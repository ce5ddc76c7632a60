/**
 * A TCP proxy in front of one process's listener: everyone who should reach that process dials
 * the proxy instead (its address is the one handed out), and every connection is forwarded
 * byte for byte, through a FaultPump per direction, as the fault table says for the link
 * between the caller and this process. The caller is named on accept (`identify`); a caller
 * that cannot be named is refused (closed), since letting it through unnamed could leak past a
 * partition. The proxy outlives the process behind it: a restarted process is reached again on
 * the same address, and dialling it while it is down fails as dialling the process would.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { FaultPump } from './fault-pump';
import type { LinkFaults } from './link-faults';

/** Per direction and connection; past it the proxy stops reading that side. */
export const DEFAULT_MAX_QUEUED_BYTES = 1024 * 1024;
/** Connections one proxy keeps at once; more are refused (a handful of processes dial each listener). */
export const DEFAULT_MAX_CONNECTIONS = 256;

export interface FaultProxyOptions {
  /** The endpoint name of the process behind the proxy (`broker-2`). */
  readonly name: string;
  readonly listenHost: string;
  /** 0: the OS chooses. */
  readonly listenPort: number;
  readonly targetHost: string;
  readonly targetPort: number;
  readonly faults: LinkFaults;
  /** Names the process that dialled `socket` (an endpoint name), or undefined when it cannot tell. */
  readonly identify: (socket: Socket) => Promise<string | undefined>;
  readonly maxQueuedBytes?: number;
  readonly maxConnections?: number;
}

interface ProxiedConnection {
  readonly caller: string;
  readonly downstream: Socket;
  readonly upstream: Socket;
  readonly pumps: readonly FaultPump[];
}

export class FaultProxy {
  private readonly connections = new Set<ProxiedConnection>();
  /** Accepted sockets still being identified or connected upstream. */
  private readonly pending = new Set<Socket>();
  private readonly stopListening: () => void;
  private closed = false;
  /**
   * Connections opened per caller since the proxy started (open or closed since). One entry per
   * endpoint name, so it is bounded by the cluster's processes plus `client`.
   */
  private readonly opened = new Map<string, number>();
  /** Connections refused: the caller could not be named, or too many were open. */
  refused = 0;

  private constructor(
    private readonly options: FaultProxyOptions,
    private readonly server: Server,
  ) {
    this.stopListening = options.faults.onChange(() => {
      for (const connection of this.connections) for (const pump of connection.pumps) pump.faultChanged();
    });
    server.on('connection', (socket) => void this.accept(socket));
  }

  static start(options: FaultProxyOptions): Promise<FaultProxy> {
    return new Promise((resolveProxy, reject) => {
      // pauseOnConnect: no byte is read before the caller is named and the link consulted.
      const server = createServer({ pauseOnConnect: true, noDelay: true });
      server.once('error', reject);
      server.listen(options.listenPort, options.listenHost, () => {
        server.off('error', reject);
        resolveProxy(new FaultProxy(options, server));
      });
    });
  }

  get name(): string {
    return this.options.name;
  }

  /** The port the proxy listens on. */
  get port(): number {
    const address = this.server.address();
    if (address === null || typeof address !== 'object') throw new Error(`proxy for ${this.name} is not listening`);
    return address.port;
  }

  /** Open connections per caller: who talks to this process now. */
  callers(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const { caller } of this.connections) counts.set(caller, (counts.get(caller) ?? 0) + 1);
    return counts;
  }

  /**
   * Every caller this proxy has named and let through, with how many connections each opened:
   * who reached this process, whether or not its connection is still open. A connection closes
   * for ordinary reasons (keepalive across a fault, a fetcher whose leader moved away), so
   * `callers()` at one instant is no record of who ever reached this process.
   */
  namedCallers(): Map<string, number> {
    return new Map(this.opened);
  }

  private async accept(downstream: Socket): Promise<void> {
    const maxConnections = this.options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    if (this.closed || this.connections.size + this.pending.size >= maxConnections) {
      this.refused++;
      downstream.destroy();
      return;
    }
    this.pending.add(downstream);
    downstream.on('error', () => downstream.destroy());
    let caller: string | undefined;
    try {
      caller = await this.options.identify(downstream);
    } catch {
      caller = undefined;
    }
    if (caller === undefined || this.closed || downstream.destroyed) {
      this.pending.delete(downstream);
      if (caller === undefined) this.refused++;
      downstream.destroy();
      return;
    }
    const upstream = connect({ host: this.options.targetHost, port: this.options.targetPort, noDelay: true });
    upstream.pause();
    upstream.once('connect', () => {
      this.pending.delete(downstream);
      if (this.closed || downstream.destroyed) {
        upstream.destroy();
        downstream.destroy();
        return;
      }
      this.open(caller, downstream, upstream);
    });
    // Refused or reset before it was open: the caller sees its connection close, as when dialling a dead process.
    upstream.once('error', () => {
      this.pending.delete(downstream);
      upstream.destroy();
      downstream.destroy();
    });
  }

  private open(caller: string, downstream: Socket, upstream: Socket): void {
    const { faults, name } = this.options;
    const maxQueuedBytes = this.options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES;
    const pumps = [
      new FaultPump({ source: downstream, sink: upstream, link: () => faults.of(caller, name), maxQueuedBytes }),
      new FaultPump({ source: upstream, sink: downstream, link: () => faults.of(name, caller), maxQueuedBytes }),
    ];
    const connection: ProxiedConnection = { caller, downstream, upstream, pumps };
    this.connections.add(connection);
    this.opened.set(caller, (this.opened.get(caller) ?? 0) + 1);
    // Either side going away takes the other with it (sockets here do not stay half-open, an end
    // closes them); what was held in between is lost, as on a reset.
    const teardown = (): void => {
      if (!this.connections.delete(connection)) return;
      for (const pump of pumps) pump.close();
      downstream.destroy();
      upstream.destroy();
    };
    for (const socket of [downstream, upstream]) {
      socket.on('error', teardown);
      socket.on('close', teardown);
    }
    for (const pump of pumps) pump.faultChanged();
  }

  /** Stops listening and closes every connection. */
  close(): Promise<void> {
    this.closed = true;
    this.stopListening();
    for (const socket of this.pending) socket.destroy();
    this.pending.clear();
    for (const connection of [...this.connections]) {
      for (const pump of connection.pumps) pump.close();
      connection.downstream.destroy();
      connection.upstream.destroy();
    }
    this.connections.clear();
    return new Promise((resolveClose) => this.server.close(() => resolveClose()));
  }
}
