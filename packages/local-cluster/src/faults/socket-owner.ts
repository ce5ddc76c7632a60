/**
 * Which process dialled a connection: Linux's socket tables (`/proc/net/tcp{,6}`) name the inode
 * of the dialler's end (its local port is the accepted socket's remote port), and that inode is
 * among the open files (`/proc/<pid>/fd`) of exactly one process. This is how one proxy in front
 * of a listener tells its callers apart, so that a fault can cut broker 1 from broker 2 and
 * leave the producer's connections to broker 2 alone. Linux only, as the e2e suite is.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, readlink } from 'node:fs/promises';

const TCP_TABLES = ['/proc/net/tcp', '/proc/net/tcp6'];

/** Throws when this machine has no /proc socket tables (not Linux): the proxy cannot name callers. */
export function assertSocketTablesReadable(): void {
  if (!existsSync(TCP_TABLES[0] as string))
    throw new Error(`network fault injection tells callers apart through ${TCP_TABLES[0]}, which this system lacks`);
}

const portHex = (port: number): string => port.toString(16).toUpperCase().padStart(4, '0');

/**
 * The inode of the socket whose local port is `localPort` and whose peer's port is `peerPort`
 * (both ends on this machine), or undefined when no such socket is open (any more).
 */
export async function socketInode(localPort: number, peerPort: number): Promise<string | undefined> {
  const local = `:${portHex(localPort)}`;
  const peer = `:${portHex(peerPort)}`;
  for (const table of TCP_TABLES) {
    let text: string;
    try {
      text = await readFile(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10) continue;
      if ((fields[1] as string).endsWith(local) && (fields[2] as string).endsWith(peer)) {
        const inode = fields[9] as string;
        if (inode !== '0') return inode;
      }
    }
  }
  return undefined;
}

/** The first of `pids` holding socket `inode` open, or undefined. */
export async function socketOwner(inode: string, pids: readonly number[]): Promise<number | undefined> {
  const target = `socket:[${inode}]`;
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = await readdir(`/proc/${pid}/fd`);
    } catch {
      continue; // exited, or not ours to read
    }
    const links = await Promise.all(fds.map((fd) => readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')));
    if (links.includes(target)) return pid;
  }
  return undefined;
}
