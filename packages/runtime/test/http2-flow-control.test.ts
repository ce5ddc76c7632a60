import { connect, createServer, type ClientHttp2Session, type Settings } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { createGrpcClient, HTTP2_FLOW_CONTROL_WINDOW_BYTES } from '@sluice/proto';
import { startGrpcServer, widenServerFlowControlWindows, type StartedGrpcServer } from '../src';

/** The SETTINGS the server sends on a fresh connection, until one carries `initialWindowSize` >= min (bounded wait). */
function advertisedWindow(session: ClientHttp2Session, min: number): Promise<Settings> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the server never advertised a wide window')), 5_000);
    session.on('remoteSettings', (settings) => {
      if ((settings.initialWindowSize ?? 0) < min) return;
      clearTimeout(timer);
      resolve(settings);
    });
  });
}

describe('HTTP/2 flow-control windows of gRPC servers', () => {
  let server: StartedGrpcServer;

  beforeAll(async () => {
    server = await startGrpcServer({ host: '127.0.0.1', port: 0, services: [] });
  });

  afterAll(() => server.stop(1_000));

  it('advertises the wide per-stream window and opens the connection window on every session', async () => {
    const session = connect(`http://${server.address}`);
    try {
      const settings = await advertisedWindow(session, HTTP2_FLOW_CONTROL_WINDOW_BYTES);
      expect(settings.initialWindowSize).toBe(HTTP2_FLOW_CONTROL_WINDOW_BYTES);
      // The connection-level window (WINDOW_UPDATE on stream 0) arrives with the settings.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(session.state.remoteWindowSize).toBe(HTTP2_FLOW_CONTROL_WINDOW_BYTES);
    } finally {
      session.close();
    }
  });

  it('refuses a window HTTP/2 cannot carry and changes nothing', () => {
    expect(() => widenServerFlowControlWindows(server.server, 1_000)).toThrow(RangeError);
    expect(() => widenServerFlowControlWindows(server.server, 2 ** 31)).toThrow(RangeError);
  });
});

describe('HTTP/2 flow-control windows of gRPC clients', () => {
  it('every sluice channel advertises the wide per-stream window', async () => {
    const http2Server = createServer();
    const seen = new Promise<Settings>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no client advertised a wide window')), 5_000);
      http2Server.on('session', (session) =>
        session.on('remoteSettings', (settings) => {
          if ((settings.initialWindowSize ?? 0) < HTTP2_FLOW_CONTROL_WINDOW_BYTES) return;
          clearTimeout(timer);
          resolve(settings);
        }),
      );
    });
    await new Promise<void>((resolve) => http2Server.listen(0, '127.0.0.1', resolve));
    const { port } = http2Server.address() as AddressInfo;
    const client = createGrpcClient('Health', `127.0.0.1:${port}`);
    try {
      // Connecting is enough: the channel's SETTINGS are its first frame.
      client.waitForReady(Date.now() + 5_000, () => undefined);
      expect((await seen).initialWindowSize).toBe(HTTP2_FLOW_CONTROL_WINDOW_BYTES);
    } finally {
      client.close();
      await new Promise<void>((resolve) => http2Server.close(() => resolve()));
    }
  });
});
