import { mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutFileBody } from '../src';

/** Every chunk the body pushed, as pushed, or the error it ended with; once it is closed (its file too). */
function drain(body: PutFileBody): Promise<{ bytes: Buffer; chunks: number[] } | { error: Error }> {
  const chunks: Buffer[] = [];
  let failed: Error | null = null;
  return new Promise((resolve) => {
    body.on('data', (chunk: Buffer) => chunks.push(chunk));
    body.on('error', (error) => (failed = error));
    body.on('close', () =>
      resolve(
        failed !== null ? { error: failed } : { bytes: Buffer.concat(chunks), chunks: chunks.map((c) => c.length) },
      ),
    );
  });
}

/** Open descriptors of this process that point at `path`. */
function openDescriptorsOf(path: string): number {
  let count = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === path) count++;
    } catch {
      // Closed meanwhile (the listing's own descriptor).
    }
  }
  return count;
}

describe('PutFileBody: a file range then a trailer, one PUT body', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-put-body-'));
  const path = join(dir, 'segment.log');
  const file = Buffer.from(Array.from({ length: 10_000 }, (_, i) => i % 251));
  writeFileSync(path, file);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('yields the first sizeBytes of the file in chunks, then the trailer, and closes the file', async () => {
    const errors: Error[] = [];
    const trailer = Buffer.from('indexes bundle');
    const body = new PutFileBody([{ path, sizeBytes: 9_000 }], trailer, 4096, (e) => errors.push(e));
    expect(body.contentLength).toBe(9_000 + trailer.length);
    const read = await drain(body);
    expect(read).toEqual({ bytes: Buffer.concat([file.subarray(0, 9_000), trailer]), chunks: [4096, 4096, 808, 14] });
    expect(errors).toEqual([]);
    expect(openDescriptorsOf(path)).toBe(0);
  });

  it('without a trailer it is the file range alone; an empty trailer adds nothing', async () => {
    for (const trailer of [undefined, Buffer.alloc(0)]) {
      const read = await drain(new PutFileBody([{ path, sizeBytes: 10_000 }], trailer, 3000, () => {}));
      expect(read).toEqual({ bytes: file, chunks: [3000, 3000, 3000, 1000] });
    }
  });

  it('a file shorter than sizeBytes is an error, told to onError (the caller aborts its request)', async () => {
    const errors: Error[] = [];
    const body = new PutFileBody([{ path, sizeBytes: 12_000 }], Buffer.from('t'), 4096, (e) => errors.push(e));
    const read = await drain(body);
    expect(read).toEqual({
      error: expect.objectContaining({ message: expect.stringMatching(/1808 bytes at 8192, expected 3808/) }),
    });
    expect(errors).toHaveLength(1);
    expect(openDescriptorsOf(path)).toBe(0);
  });

  it('a missing file is an error by name; destroying a body never read closes its file and emits no error', async () => {
    const errors: Error[] = [];
    const missing = new PutFileBody([{ path: join(dir, 'gone.log'), sizeBytes: 10 }], undefined, 4096, (e) =>
      errors.push(e),
    );
    expect(await drain(missing)).toEqual({ error: expect.objectContaining({ code: 'ENOENT' }) });
    expect(errors).toHaveLength(1);

    const unread = new PutFileBody([{ path, sizeBytes: 10_000 }], Buffer.from('t'), 4096, (e) => errors.push(e));
    await new Promise((resolve) => setTimeout(resolve, 50)); // opened meanwhile
    expect(openDescriptorsOf(path)).toBe(1);
    unread.destroy();
    await new Promise((resolve) => unread.once('close', resolve));
    expect(openDescriptorsOf(path)).toBe(0);
    expect(errors).toHaveLength(1);
  });

  it("several files: each file's range in order (a chunk never spans two), then the trailer; every file closed", async () => {
    const second = join(dir, 'second.log');
    const third = join(dir, 'third.log');
    const secondBytes = Buffer.from(Array.from({ length: 5_000 }, (_, i) => (i * 7) % 253));
    writeFileSync(second, secondBytes);
    writeFileSync(third, Buffer.alloc(0));
    const trailer = Buffer.from('bundle');
    const files = [
      { path, sizeBytes: 6_000 },
      { path: third, sizeBytes: 0 },
      { path: second, sizeBytes: 5_000 },
    ];
    const body = new PutFileBody(files, trailer, 4096, () => {});
    expect(body.contentLength).toBe(11_000 + trailer.length);
    expect(await drain(body)).toEqual({
      bytes: Buffer.concat([file.subarray(0, 6_000), secondBytes, trailer]),
      chunks: [4096, 1904, 4096, 904, 6],
    });
    for (const each of [path, second, third]) expect(openDescriptorsOf(each)).toBe(0);

    // The second file shorter than its size: the error names it, and nothing stays open.
    const short = new PutFileBody(
      [
        { path, sizeBytes: 100 },
        { path: second, sizeBytes: 6_000 },
      ],
      undefined,
      4096,
      () => {},
    );
    expect(await drain(short)).toEqual({
      error: expect.objectContaining({
        message: expect.stringMatching(/second\.log: 904 bytes at 4096, expected 1904/),
      }),
    });
    for (const each of [path, second]) expect(openDescriptorsOf(each)).toBe(0);
    expect(() => new PutFileBody([], undefined, 4096, () => {})).toThrow(RangeError);
  });

  it('refuses a size or chunk that is not a byte count', () => {
    expect(() => new PutFileBody([{ path, sizeBytes: -1 }], undefined, 4096, () => {})).toThrow(RangeError);
    expect(() => new PutFileBody([{ path, sizeBytes: 10 }], undefined, 0, () => {})).toThrow(RangeError);
  });
});
