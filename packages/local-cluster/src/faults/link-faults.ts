/**
 * What the network does to the bytes between two processes, per direction: the fault table every
 * proxy consults. A link is directed: `from -> to` governs the bytes `from` sends to `to`, on
 * every connection between them whoever dialled it, so "B cannot hear A" is one entry and a
 * partition is two. Endpoints are process names (`broker-2`, `controller-1`, `coordinator-3`)
 * and `client` for everything else (the test's own producers, consumers and admin).
 */

/** The name of every process that is not one of the cluster's own (the test's clients). */
export const CLIENT_ENDPOINT = 'client';

/** The upper bound of an injected latency: a fault, not a hang. */
export const MAX_LATENCY_MS = 60_000;

export interface LinkFault {
  /**
   * Nothing gets through: bytes are held, neither delivered nor dropped, as on a link that drops
   * every packet while TCP retransmits; they arrive once it heals, unless an endpoint gave up on
   * the connection first (a deadline, a keepalive).
   */
  readonly blocked: boolean;
  /** Added one-way delay of every byte. */
  readonly latencyMs: number;
  /** The link's bandwidth; null: unlimited. */
  readonly bytesPerSecond: number | null;
}

export const HEALTHY_LINK: LinkFault = Object.freeze({ blocked: false, latencyMs: 0, bytesPerSecond: null });

/** `broker-2`: the endpoint name of a process. */
export function endpointName(role: string, nodeId: number): string {
  return `${role}-${nodeId}`;
}

function checkFault(fault: Partial<LinkFault>): void {
  if (fault.latencyMs !== undefined && !(Number.isFinite(fault.latencyMs) && fault.latencyMs >= 0))
    throw new RangeError(`latencyMs ${fault.latencyMs}: expected a finite number >= 0`);
  if (fault.latencyMs !== undefined && fault.latencyMs > MAX_LATENCY_MS)
    throw new RangeError(`latencyMs ${fault.latencyMs} is above ${MAX_LATENCY_MS}`);
  if (
    fault.bytesPerSecond !== undefined &&
    fault.bytesPerSecond !== null &&
    !(Number.isFinite(fault.bytesPerSecond) && fault.bytesPerSecond >= 1)
  )
    throw new RangeError(`bytesPerSecond ${fault.bytesPerSecond}: expected null or a number >= 1`);
}

const linkKey = (from: string, to: string): string => `${from}>${to}`;

/** The faults on every directed link; a link not named is healthy. Listeners hear every change. */
export class LinkFaults {
  private readonly faults = new Map<string, { from: string; to: string; fault: LinkFault }>();
  private readonly listeners = new Set<() => void>();

  /** The fault on `from -> to` (HEALTHY_LINK when none). */
  of(from: string, to: string): LinkFault {
    return this.faults.get(linkKey(from, to))?.fault ?? HEALTHY_LINK;
  }

  /** Lays `fault` over what `from -> to` has now (fields not given stay). */
  set(from: string, to: string, fault: Partial<LinkFault>): void {
    if (from === to) throw new RangeError(`a link joins two endpoints, not ${from} to itself`);
    checkFault(fault);
    const merged: LinkFault = { ...this.of(from, to), ...fault };
    const key = linkKey(from, to);
    if (merged.blocked === false && merged.latencyMs === 0 && merged.bytesPerSecond === null) this.faults.delete(key);
    else this.faults.set(key, { from, to, fault: merged });
    this.changed();
  }

  /** Every link healthy again. */
  heal(): void {
    if (this.faults.size === 0) return;
    this.faults.clear();
    this.changed();
  }

  /** One line per faulty link, sorted: what a test prints. */
  describe(): string[] {
    return [...this.faults.values()]
      .map(({ from, to, fault }) => {
        const parts = [
          ...(fault.blocked ? ['blocked'] : []),
          ...(fault.latencyMs > 0 ? [`+${fault.latencyMs} ms`] : []),
          ...(fault.bytesPerSecond !== null ? [`${fault.bytesPerSecond} B/s`] : []),
        ];
        return `${from} -> ${to}: ${parts.join(', ')}`;
      })
      .sort();
  }

  /** Calls `listener` after every change; returns its removal. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
