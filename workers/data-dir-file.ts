// Secrets a development machine keeps in DATA_DIR (0600): generated on first use, then read back, so a
// restart and every process sharing DATA_DIR agree on the same value.
import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The file's trimmed content, written first with `generate()` if it does not exist yet. */
export function readOrCreateDataFile(dataDir: string, name: string, generate: () => string): string {
  const dir = path.resolve(dataDir);
  const file = path.join(dir, name);
  mkdirSync(dir, { recursive: true });
  if (!existsSync(file)) {
    // Written aside and linked into place: when two processes start together, one wins and both read
    // the same complete content.
    const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(temp, `${generate()}\n`, { mode: 0o600 });
    try {
      linkSync(temp, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      unlinkSync(temp);
    }
  }
  return readFileSync(file, 'utf8').trim();
}
