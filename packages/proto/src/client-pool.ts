/**
 * One client per address for one service, made on first use and closed together: what every
 * caller that talks to several nodes keeps (brokers by leader, coordinators by group, controller
 * voters). Bounded by the addresses the caller asks for, which are the cluster's nodes.
 */
import type { ChannelOptions } from '@grpc/grpc-js';
import { unaryCall, type UnaryCallOptions, type UnaryMethodName, type UnaryRequest, type UnaryResponse } from './calls';
import { createGrpcClient } from './channel';
import type { ClientSecurity } from './channel-security';
import type { ContractServices, ServiceName } from './services';

export interface GrpcClientPoolOptions {
  readonly channelOptions?: ChannelOptions;
  /** Deadline of `call` when the call names none. */
  readonly callTimeoutMs?: number;
  /** Default: the process default (defaultClientSecurity()). */
  readonly security?: ClientSecurity;
}

export class GrpcClientPool<N extends ServiceName> {
  private readonly clients = new Map<string, ContractServices[N]['client']>();

  constructor(
    readonly service: N,
    private readonly options: GrpcClientPoolOptions = {},
  ) {}

  /** The client of `address`, made on first use. */
  client(address: string): ContractServices[N]['client'] {
    let client = this.clients.get(address);
    if (client === undefined) {
      client = createGrpcClient(this.service, address, this.options.channelOptions, this.options.security);
      this.clients.set(address, client);
    }
    return client;
  }

  /** `unaryCall` on the client of `address`, by default with the pool's `callTimeoutMs`. */
  call<M extends UnaryMethodName<ContractServices[N]['client']>>(
    address: string,
    method: M,
    request: UnaryRequest<ContractServices[N]['client'], M>,
    options: Partial<UnaryCallOptions> = {},
  ): Promise<UnaryResponse<ContractServices[N]['client'], M>> {
    const timeoutMs = options.timeoutMs ?? this.options.callTimeoutMs;
    if (timeoutMs === undefined)
      return Promise.reject(new RangeError(`${this.service}/${method}: no timeoutMs and no callTimeoutMs`));
    return unaryCall(this.client(address), method, request, { ...options, timeoutMs });
  }

  /** Closes every client; a later `client()` makes a new one. */
  close(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }
}
