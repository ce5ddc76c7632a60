/**
 * Ports for local processes, chosen by the OS: bind port 0, read the port, close. Until the child
 * binds the port it was told, anything else may take it: another test worker's bind(0) on the
 * same address, or a connect()'s ephemeral port. Two things keep that race away from a test run:
 *
 * - `loopbackHost()`: with `SLUICE_LOCAL_HOST=per-process` (the jest config sets it) every process
 *   draws its clusters' listeners on its own loopback address, derived from its pid (all of
 *   127.0.0.0/8 is the loopback interface on Linux), so the OS never hands a port this process
 *   chose to another worker's bind(0) on another address; outgoing connections take their
 *   ephemeral ports on 127.0.0.1, the route's source address, not on it either.
 * - within this process, `freePort` never hands out a port it already handed out on that address
 *   (a cluster created while another one's processes are still starting).
 */
import { createServer } from 'node:net';

/** The environment variable naming the loopback address local clusters listen on. */
export const LOCAL_HOST_ENV = 'SLUICE_LOCAL_HOST';

/**
 * The address local clusters listen on when their caller names none: `SLUICE_LOCAL_HOST` (an IPv4
 * loopback address, or `per-process` for one drawn from this process's pid), else 127.0.0.1.
 */
export function loopbackHost(env: NodeJS.ProcessEnv = process.env, pid: number = process.pid): string {
  const wanted = env[LOCAL_HOST_ENV];
  if (wanted === undefined || wanted === '') return '127.0.0.1';
  if (wanted === 'per-process') return perProcessLoopback(pid);
  if (!isLoopbackV4(wanted))
    throw new RangeError(
      `${LOCAL_HOST_ENV}=${JSON.stringify(wanted)}: expected an IPv4 loopback address (127.x.y.z) or per-process`,
    );
  return wanted;
}

/**
 * 127.<100 + pid bits 16-21>.<pid bits 8-15>.<pid bits 0-7>: distinct for every live process (Linux
 * pids are below 2^22) and never 127.0.0.1. (The node-agent e2e draws its pods' /24s from the same
 * 127.0.0.0/8, but its pods listen on the chart's fixed ports, below the range bind(0) draws from.)
 */
export function perProcessLoopback(pid: number): string {
  if (!Number.isInteger(pid) || pid <= 0 || pid >= 2 ** 22) throw new RangeError(`pid ${pid} is not a Linux pid`);
  return `127.${100 + (pid >> 16)}.${(pid >> 8) & 0xff}.${pid & 0xff}`;
}

function isLoopbackV4(address: string): boolean {
  const octets = address.split('.');
  return (
    octets.length === 4 &&
    octets[0] === '127' &&
    octets.every((octet) => /^\d{1,3}$/.test(octet) && Number(octet) <= 255)
  );
}

/** Ports this process handed out, per address, oldest first (bounded: the OS cycles through ~28,000). */
const handedOut = new Map<string, Set<number>>();
const MAX_REMEMBERED_PER_HOST = 4_096;

function remember(host: string, port: number): void {
  let ports = handedOut.get(host);
  if (ports === undefined) handedOut.set(host, (ports = new Set()));
  ports.add(port);
  if (ports.size > MAX_REMEMBERED_PER_HOST) ports.delete(ports.values().next().value as number);
}

function bindZero(host: string): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** One port nothing listens on right now on `host`, and not one this process handed out before. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  // The OS rarely hands the same port twice in a row; the bound only keeps a broken resolver from spinning.
  for (let attempt = 0; attempt < 64; attempt++) {
    const port = await bindZero(host);
    if (handedOut.get(host)?.has(port) === true) continue;
    remember(host, port);
    return port;
  }
  throw new Error(`no free port on ${host} that this process had not handed out already, after 64 attempts`);
}

/** `count` distinct free ports on `host`. */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) ports.push(await freePort(host));
  return ports;
}
