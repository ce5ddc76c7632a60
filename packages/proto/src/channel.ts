/**
 * Client channels: the defaults every sluice client and server-to-server caller uses, and typed
 * clients of the contract's services.
 */
import type { ChannelOptions } from '@grpc/grpc-js';
import {
  bearerTokenInterceptor,
  channelCredentialsFor,
  channelOptionsFor,
  defaultClientSecurity,
  type ClientSecurity,
} from './channel-security';
import { serviceClientConstructor, type ContractServices, type ServiceName } from './services';

/**
 * The HTTP/2 receive window of every sluice stream and connection, both ways (servers: runtime's
 * widenServerFlowControlWindows). Node starts both at 64 KiB, so a 1 MiB Fetch answer or a
 * 256 KiB Produce request waits for the receiver's event loop to send WINDOW_UPDATE after every
 * 32-64 KiB; 4 MiB lets a request or answer of a few batches through in one go. It is also the
 * most one connection holds unread, so it stays a small multiple of max.partition.fetch.bytes.
 */
export const HTTP2_FLOW_CONTROL_WINDOW_BYTES = 4 * 1024 * 1024;

/**
 * Client channel defaults. grpc-js backs off reconnects up to 120 s by default, which would keep
 * a restarted peer unreachable long after it came back; our peers are a handful of known nodes,
 * so retry connecting quickly and often. Keepalive notices a silently dead peer.
 */
export const DEFAULT_CHANNEL_OPTIONS: ChannelOptions = Object.freeze({
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 1_000,
  'grpc.keepalive_time_ms': 10_000,
  'grpc.keepalive_timeout_ms': 5_000,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.max_receive_message_length': 64 * 1024 * 1024,
  'grpc.max_send_message_length': 64 * 1024 * 1024,
  'grpc-node.flow_control_window': HTTP2_FLOW_CONTROL_WINDOW_BYTES,
});

/** `host:port`, with an IPv6 host in brackets: what a channel dials. */
export function formatHostPort(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * A client of `service` at `address`, secured as `security` says (default: the process default,
 * plaintext unless a service set its identity with setDefaultClientSecurity).
 */
export function createGrpcClient<N extends ServiceName>(
  service: N,
  address: string,
  channelOptions?: ChannelOptions,
  security: ClientSecurity = defaultClientSecurity(),
): ContractServices[N]['client'] {
  const Client = serviceClientConstructor(service);
  return new Client(address, channelCredentialsFor(security), {
    ...DEFAULT_CHANNEL_OPTIONS,
    ...channelOptionsFor(security),
    ...channelOptions,
    ...(security.tokens === undefined ? {} : { interceptors: [bearerTokenInterceptor(security.tokens)] }),
  });
}
