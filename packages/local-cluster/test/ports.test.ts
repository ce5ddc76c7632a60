import { createServer, type Server } from 'node:net';
import { freePort, freePorts, LOCAL_HOST_ENV, loopbackHost, perProcessLoopback } from '@sluice/local-cluster';

describe('loopbackHost', () => {
  it('is 127.0.0.1 unless SLUICE_LOCAL_HOST names another loopback address or per-process', () => {
    expect(loopbackHost({}, 4242)).toBe('127.0.0.1');
    expect(loopbackHost({ [LOCAL_HOST_ENV]: '' }, 4242)).toBe('127.0.0.1');
    expect(loopbackHost({ [LOCAL_HOST_ENV]: '127.9.8.7' }, 4242)).toBe('127.9.8.7');
    expect(loopbackHost({ [LOCAL_HOST_ENV]: 'per-process' }, 4242)).toBe(perProcessLoopback(4242));
  });

  it('refuses an address that is not IPv4 loopback, naming the variable', () => {
    for (const wrong of ['10.0.0.1', 'localhost', '127.0.0', '127.0.0.256', '::1'])
      expect(() => loopbackHost({ [LOCAL_HOST_ENV]: wrong }, 1)).toThrow(/SLUICE_LOCAL_HOST/);
  });

  it('per-process: one distinct address per pid, never 127.0.0.1', () => {
    const seen = new Set<string>();
    for (const pid of [1, 2, 255, 256, 65_535, 65_536, 4_194_303]) {
      const address = perProcessLoopback(pid);
      expect(address).toMatch(/^127\.(\d+)\.(\d+)\.(\d+)$/);
      expect(address.split('.').every((octet) => Number(octet) <= 255)).toBe(true);
      expect(address).not.toBe('127.0.0.1');
      seen.add(address);
    }
    expect(seen.size).toBe(7);
    expect(() => perProcessLoopback(2 ** 22)).toThrow(RangeError);
    expect(() => perProcessLoopback(0)).toThrow(RangeError);
  });

  it('per-process address is one this machine can listen on (all of 127.0.0.0/8 is loopback)', async () => {
    const host = perProcessLoopback(process.pid);
    const server: Server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, resolve);
    });
    const address = server.address();
    await new Promise((resolve) => server.close(resolve));
    expect(typeof address === 'object' && address?.address).toBe(host);
  });
});

describe('freePort', () => {
  it('never hands out the same port twice on one address in this process', async () => {
    const host = perProcessLoopback(process.pid);
    const ports = await freePorts(200, host);
    expect(new Set(ports).size).toBe(200);
    const more = await Promise.all([freePort(host), freePort(host), freePort(host)]);
    for (const port of more) expect(ports).not.toContain(port);
    expect(new Set(more).size).toBe(3);
  });
});
