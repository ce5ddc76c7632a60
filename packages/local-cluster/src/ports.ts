/** Ports for local processes, chosen by the OS (there is a small race until the child binds one). */
import { createServer } from 'node:net';

/** One port nothing listens on right now on `host`. */
export function freePort(host = '127.0.0.1'): Promise<number> {
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

/** `count` distinct free ports on `host`. */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const ports = new Set<number>();
  // The OS rarely hands the same port twice in a row; the bound only keeps a broken resolver from spinning.
  for (let attempt = 0; ports.size < count; attempt++) {
    if (attempt >= count * 10) throw new Error(`no ${count} distinct free ports on ${host} after ${attempt} attempts`);
    ports.add(await freePort(host));
  }
  return [...ports];
}
