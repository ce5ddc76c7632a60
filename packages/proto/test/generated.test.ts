/**
 * The generated code is committed: regenerate it from proto/ into a temporary directory and
 * compare, so a proto change without `pnpm proto:gen` fails here, naming the stale files.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const { generate, generatedFiles, GENERATED_DIR } = require('../scripts/generate.js') as {
  generate(outDir: string): string[];
  generatedFiles(dir: string): string[];
  GENERATED_DIR: string;
};

describe('packages/proto/src/generated', () => {
  it('is what `pnpm proto:gen` makes of proto/ now', () => {
    const fresh = mkdtempSync(join(tmpdir(), 'sluice-proto-gen-'));
    try {
      const expected = generate(fresh);
      const committed = generatedFiles(GENERATED_DIR);
      const stale = [
        ...expected.filter((file) => !committed.includes(file)).map((file) => `${file} (missing)`),
        ...committed.filter((file) => !expected.includes(file)).map((file) => `${file} (no longer generated)`),
        ...expected
          .filter((file) => committed.includes(file))
          .filter((file) => readFileSync(join(fresh, file), 'utf8') !== readFileSync(join(GENERATED_DIR, file), 'utf8'))
          .map((file) => `${file} (differs)`),
      ];
      expect({ stale, fix: stale.length === 0 ? 'none' : 'run `npx -y pnpm@12 proto:gen` and commit' }).toEqual({
        stale: [],
        fix: 'none',
      });
      expect(expected.length).toBeGreaterThan(100);
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });
});
