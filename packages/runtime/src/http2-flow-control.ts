/**
 * HTTP/2 flow-control windows for gRPC servers. Node's HTTP/2 starts every stream and connection
 * with a 64 KiB receive window, and grpc-js has no server option to change it, so a 256 KiB
 * Produce request (or an ordered ProduceStream carrying five of them) stalls after each 64 KiB
 * until the broker's event loop gets round to sending WINDOW_UPDATE: one scheduling delay of both
 * processes per 64 KiB. Clients widen their side with the channel option
 * `grpc-node.flow_control_window` (@sluice/proto's DEFAULT_CHANNEL_OPTIONS); servers here.
 */
import type { Server } from '@grpc/grpc-js';
import { HTTP2_FLOW_CONTROL_WINDOW_BYTES } from '@sluice/proto';

interface Http2SessionLike {
  settings(settings: { initialWindowSize: number }): void;
  setLocalWindowSize(windowSize: number): void;
  readonly destroyed: boolean;
}

interface Http2ServerLike {
  on(event: 'session', listener: (session: Http2SessionLike) => void): void;
}

/**
 * Every session `server` accepts from now on gets `windowBytes` of receive window per stream and
 * per connection. The window bounds what a peer may send before this process read it, so it is
 * also the most a connection buffers unread. Call after bindAsync (grpc-js makes its HTTP/2
 * servers there).
 */
export function widenServerFlowControlWindows(
  server: Server,
  windowBytes: number = HTTP2_FLOW_CONTROL_WINDOW_BYTES,
): void {
  if (!Number.isInteger(windowBytes) || windowBytes < 65_535 || windowBytes > 2 ** 31 - 1)
    throw new RangeError(`HTTP/2 window must be an integer in [65535, 2^31-1] bytes, got ${windowBytes}`);
  // grpc-js keeps its HTTP/2 servers private; the TLS handshake audit reads the same field.
  const http2Servers = (server as unknown as { http2Servers?: Map<Http2ServerLike, unknown> }).http2Servers;
  if (!(http2Servers instanceof Map) || http2Servers.size === 0)
    throw new Error('assertion: grpc-js no longer keeps http2Servers; the HTTP/2 window needs another hook');
  for (const http2Server of http2Servers.keys()) {
    http2Server.on('session', (session) => {
      if (session.destroyed) return;
      session.settings({ initialWindowSize: windowBytes });
      session.setLocalWindowSize(windowBytes);
    });
  }
}
