/**
 * The fault proxy on real loopback sockets: an echo server behind it, callers named by a stub or
 * by the socket tables, and the link table deciding what gets through, when and how fast.
 */
import { spawn } from 'node:child_process';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { CLIENT_ENDPOINT, FaultNetwork, FaultProxy, LinkFaults, waitFor } from '@sluice/local-cluster';

jest.setTimeout(30_000);

function echoServer(): Promise<Server> {
  return new Promise((resolveServer) => {
    const server = createServer((socket) => socket.pipe(socket));
    server.listen(0, '127.0.0.1', () => resolveServer(server));
  });
}

const portOf = (server: Server): number => {
  const address = server.address();
  if (address === null || typeof address !== 'object') throw new Error('not listening');
  return address.port;
};

function dial(port: number): Promise<{ socket: Socket; received: () => string }> {
  return new Promise((resolveDial, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
    socket.once('error', reject);
    socket.once('connect', () => resolveDial({ socket, received: () => text }));
  });
}

describe('LinkFaults', () => {
  it('keeps one fault per directed link, merges partial faults, heals, and refuses nonsense', () => {
    const faults = new LinkFaults();
    const changes: number[] = [];
    faults.onChange(() => changes.push(changes.length));
    faults.set('broker-1', 'broker-2', { blocked: true });
    faults.set('broker-1', 'broker-2', { latencyMs: 30 });
    expect(faults.of('broker-1', 'broker-2')).toEqual({ blocked: true, latencyMs: 30, bytesPerSecond: null });
    expect(faults.of('broker-2', 'broker-1')).toEqual({ blocked: false, latencyMs: 0, bytesPerSecond: null });
    expect(faults.describe()).toEqual(['broker-1 -> broker-2: blocked, +30 ms']);
    expect(() => faults.set('broker-1', 'broker-1', { blocked: true })).toThrow(/itself/);
    expect(() => faults.set('a', 'b', { latencyMs: -1 })).toThrow(RangeError);
    expect(() => faults.set('a', 'b', { bytesPerSecond: 0 })).toThrow(RangeError);
    faults.heal();
    expect(faults.describe()).toEqual([]);
    expect(changes).toHaveLength(3);
  });
});

describe('FaultProxy', () => {
  let server: Server;
  let proxy: FaultProxy;
  let faults: LinkFaults;
  const sockets: Socket[] = [];

  beforeEach(async () => {
    server = await echoServer();
    faults = new LinkFaults();
    proxy = await FaultProxy.start({
      name: 'echo',
      listenHost: '127.0.0.1',
      listenPort: 0,
      targetHost: '127.0.0.1',
      targetPort: portOf(server),
      faults,
      identify: async () => 'caller',
      maxQueuedBytes: 64 * 1024,
    });
  });

  afterEach(async () => {
    for (const socket of sockets) socket.destroy();
    sockets.length = 0;
    await proxy.close();
    await new Promise((resolveClose) => server.close(resolveClose));
  });

  async function open(): Promise<{ socket: Socket; received: () => string }> {
    const dialled = await dial(proxy.port);
    sockets.push(dialled.socket);
    return dialled;
  }

  it('forwards both ways and names the caller', async () => {
    const { socket, received } = await open();
    socket.write('hello');
    await waitFor('the echo', () => received() === 'hello', 5_000, 5);
    expect([...proxy.callers()]).toEqual([['caller', 1]]);
    expect([...proxy.namedCallers()]).toEqual([['caller', 1]]);
  });

  it('remembers a caller after its connection closed: callers() is who is connected now', async () => {
    const first = await open();
    first.socket.write('one');
    await waitFor('the first echo', () => first.received() === 'one', 5_000, 5);
    first.socket.destroy();
    await waitFor('the first connection to close', () => proxy.callers().size === 0, 5_000, 5);
    expect([...proxy.namedCallers()]).toEqual([['caller', 1]]);
    const second = await open();
    second.socket.write('two');
    await waitFor('the second echo', () => second.received() === 'two', 5_000, 5);
    expect([...proxy.callers()]).toEqual([['caller', 1]]);
    expect([...proxy.namedCallers()]).toEqual([['caller', 2]]);
  });

  it('holds what a blocked direction carries, in order, and delivers it on the heal', async () => {
    const { socket, received } = await open();
    faults.set('caller', 'echo', { blocked: true });
    for (let i = 0; i < 50; i++) socket.write(`${i},`);
    await new Promise((resolveWait) => setTimeout(resolveWait, 200));
    expect(received()).toBe('');
    faults.heal();
    const expected = Array.from({ length: 50 }, (_, i) => `${i},`).join('');
    await waitFor('the held bytes', () => received() === expected, 5_000, 5);
  });

  it('blocks one direction only: the request arrives, the answer is held', async () => {
    const { socket, received } = await open();
    faults.set('echo', 'caller', { blocked: true });
    socket.write('ping');
    await new Promise((resolveWait) => setTimeout(resolveWait, 200));
    expect(received()).toBe('');
    faults.set('echo', 'caller', { blocked: false });
    await waitFor('the held answer', () => received() === 'ping', 5_000, 5);
  });

  it('adds latency and paces to the bandwidth', async () => {
    const { socket, received } = await open();
    faults.set('caller', 'echo', { latencyMs: 150 });
    let started = Date.now();
    socket.write('slow');
    await waitFor('the delayed echo', () => received() === 'slow', 5_000, 2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);

    faults.set('caller', 'echo', { latencyMs: 0, bytesPerSecond: 100 * 1024 });
    const payload = 'x'.repeat(50 * 1024);
    started = Date.now();
    socket.write(payload);
    await waitFor('the paced echo', () => received().length === 4 + payload.length, 10_000, 5);
    // 50 KiB at 100 KiB/s: half a second on the wire, at least.
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
  });

  it('stops reading a blocked sender once its queue is full instead of buffering without end', async () => {
    const { socket } = await open();
    faults.set('caller', 'echo', { blocked: true });
    const chunk = Buffer.alloc(16 * 1024, 1);
    // Far more than the 64 KiB queue: the rest must stay in the sender's buffers (TCP push-back).
    for (let i = 0; i < 512; i++) socket.write(chunk);
    await new Promise((resolveWait) => setTimeout(resolveWait, 300));
    expect(socket.writableLength).toBeGreaterThan(0);
  });

  it('refuses a caller it cannot name', async () => {
    const unnamed = await FaultProxy.start({
      name: 'echo',
      listenHost: '127.0.0.1',
      listenPort: 0,
      targetHost: '127.0.0.1',
      targetPort: portOf(server),
      faults,
      identify: async () => undefined,
    });
    try {
      const { socket } = await dial(unnamed.port);
      sockets.push(socket);
      await waitFor('the refusal', () => socket.destroyed || socket.readyState === 'closed', 5_000, 5);
      expect(unnamed.refused).toBe(1);
    } finally {
      await unnamed.close();
    }
  });
});

describe('FaultNetwork', () => {
  it('names a caller by the process that holds its socket: a cluster process by name, anything else a client', async () => {
    const server = await echoServer();
    const dialler = (port: number) =>
      spawn(process.execPath, ['-e', `require('net').connect(${port}, '127.0.0.1'); setInterval(() => {}, 1000)`], {
        stdio: 'ignore',
      });
    /** The cluster's processes by pid: only the one playing broker 7. */
    const cluster = new Map<number, string>();
    const network = await FaultNetwork.start({
      host: '127.0.0.1',
      targets: [{ name: 'echo-1', host: '127.0.0.1', port: portOf(server), proxyPort: 0 }],
      processName: (pid) => cluster.get(pid),
      processPids: () => [...cluster.keys()],
    });
    const port = network.proxy('echo-1').port;
    const broker = dialler(port);
    if (broker.pid !== undefined) cluster.set(broker.pid, 'broker-7');
    const stranger = dialler(port);
    const mine = await dial(port);
    try {
      await waitFor('both kinds of caller', () => network.proxy('echo-1').callers().size === 2, 10_000, 20);
      await waitFor(
        'three connections',
        () => [...network.proxy('echo-1').callers().values()].reduce((a, b) => a + b, 0) === 3,
        10_000,
        20,
      );
      // The stranger is no cluster process: a client, like this one.
      expect(new Map(network.proxy('echo-1').callers())).toEqual(
        new Map([
          ['broker-7', 1],
          [CLIENT_ENDPOINT, 2],
        ]),
      );
      expect(network.endpoints()).toEqual(['echo-1', CLIENT_ENDPOINT]);
      expect(() => network.setLinks(['echo-1'], ['nobody'], { blocked: true })).toThrow(/unknown endpoint nobody/);
    } finally {
      mine.socket.destroy();
      broker.kill('SIGKILL');
      stranger.kill('SIGKILL');
      await network.close();
      await new Promise((resolveClose) => server.close(resolveClose));
    }
  });
});
