/**
 * The network of a local cluster with faults: one FaultProxy in front of every process's
 * listener, the addresses handed out are the proxies', and one LinkFaults table says what each
 * directed link between two processes does. Callers are named by the socket tables
 * (socket-owner.ts): a cluster process by its endpoint name, anything else as `client`.
 */
import type { Socket } from 'node:net';
import { FaultProxy } from './fault-proxy';
import { CLIENT_ENDPOINT, LinkFaults, type LinkFault } from './link-faults';
import { assertSocketTablesReadable, socketInode, socketOwner } from './socket-owner';

/** A socket's dialler may show up in the tables a moment after accept: ask a few times, then refuse. */
const IDENTIFY_ATTEMPTS = 5;
const IDENTIFY_RETRY_MS = 5;

export interface ProxyTarget {
  /** The endpoint name of the process (`broker-2`). */
  readonly name: string;
  readonly host: string;
  /** Where the process listens. */
  readonly port: number;
  /** Where the proxy listens (chosen up front, so configurations can name it before anything starts). */
  readonly proxyPort: number;
}

export interface FaultNetworkOptions {
  readonly host: string;
  readonly targets: readonly ProxyTarget[];
  /** The endpoint name of a running cluster process by pid; undefined: not one of the cluster's. */
  readonly processName: (pid: number) => string | undefined;
  /** The pids of the cluster's running processes, searched first. */
  readonly processPids: () => readonly number[];
}

export class FaultNetwork {
  readonly faults = new LinkFaults();
  private readonly proxies = new Map<string, FaultProxy>();

  private constructor(private readonly options: FaultNetworkOptions) {}

  static async start(options: FaultNetworkOptions): Promise<FaultNetwork> {
    assertSocketTablesReadable();
    const network = new FaultNetwork(options);
    try {
      for (const target of options.targets) {
        if (network.proxies.has(target.name)) throw new RangeError(`two proxy targets named ${target.name}`);
        network.proxies.set(
          target.name,
          await FaultProxy.start({
            name: target.name,
            listenHost: options.host,
            listenPort: target.proxyPort,
            targetHost: target.host,
            targetPort: target.port,
            faults: network.faults,
            identify: (socket) => network.identify(socket),
          }),
        );
      }
    } catch (error) {
      await network.close();
      throw error;
    }
    return network;
  }

  /** Every endpoint behind a proxy, and `client`. */
  endpoints(): string[] {
    return [...this.proxies.keys(), CLIENT_ENDPOINT];
  }

  proxy(name: string): FaultProxy {
    const proxy = this.proxies.get(name);
    if (proxy === undefined)
      throw new RangeError(`no proxy in front of ${name} (${[...this.proxies.keys()].join(', ')})`);
    return proxy;
  }

  private async identify(socket: Socket): Promise<string | undefined> {
    const { localPort, remotePort } = socket;
    if (localPort === undefined || remotePort === undefined) return undefined;
    for (let attempt = 0; attempt < IDENTIFY_ATTEMPTS; attempt++) {
      if (socket.destroyed) return undefined;
      // The dialler's end: its local port is our remote port, its peer our local port.
      const inode = await socketInode(remotePort, localPort);
      if (inode !== undefined) {
        const pids = [...this.options.processPids(), process.pid];
        const pid = await socketOwner(inode, pids);
        // Not a cluster process (this one, or another local program): a client.
        return pid === undefined ? CLIENT_ENDPOINT : (this.options.processName(pid) ?? CLIENT_ENDPOINT);
      }
      await new Promise((resolveWait) => setTimeout(resolveWait, IDENTIFY_RETRY_MS));
    }
    return undefined;
  }

  /** Every link between the endpoints of `a` and those of `b`, both ways (a partition when `blocked`). */
  setBetween(a: readonly string[], b: readonly string[], fault: Partial<LinkFault>): void {
    for (const from of a) for (const to of b) if (from !== to) this.setLinks([from], [to], fault);
    for (const from of b) for (const to of a) if (from !== to) this.setLinks([from], [to], fault);
  }

  /** Every link from an endpoint of `from` to one of `to` (one direction). */
  setLinks(from: readonly string[], to: readonly string[], fault: Partial<LinkFault>): void {
    const known = new Set(this.endpoints());
    for (const name of [...from, ...to]) if (!known.has(name)) throw new RangeError(`unknown endpoint ${name}`);
    for (const source of from) for (const target of to) if (source !== target) this.faults.set(source, target, fault);
  }

  heal(): void {
    this.faults.heal();
  }

  async close(): Promise<void> {
    await Promise.all([...this.proxies.values()].map((proxy) => proxy.close()));
    this.proxies.clear();
  }
}
