// The secret that signs links in messages. Configured (LINK_SIGNING_SECRET) it is used as is; in
// development it is generated once and kept in DATA_DIR/link-signing-secret, like the dev admin key, so
// links in messages sent yesterday still work after a restart and the API and worker processes agree.
import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AppConfig } from './config';

export const LINK_SECRET_FILE = 'link-signing-secret';

export function resolveLinkSigningSecret(config: AppConfig, log: (line: string) => void): string {
  if (config.linkSigningSecret) return config.linkSigningSecret;
  if (config.env === 'production') {
    // loadConfig already refused production with RESEND_API_KEY and no secret: nothing leaves with these links.
    log('LINK_SIGNING_SECRET is not set: links in captured messages are signed with a secret of this process only.');
    return randomBytes(32).toString('base64url');
  }
  const dir = path.resolve(config.dataDir);
  const file = path.join(dir, LINK_SECRET_FILE);
  mkdirSync(dir, { recursive: true });
  if (!existsSync(file)) {
    // Written aside and linked into place: when two processes start together, one wins and both read
    // the same complete secret.
    const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(temp, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600 });
    try {
      linkSync(temp, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      unlinkSync(temp);
    }
  }
  const secret = readFileSync(file, 'utf8').trim();
  if (secret.length < 32) throw new Error(`${file} must hold at least 32 characters (or set LINK_SIGNING_SECRET).`);
  return secret;
}
