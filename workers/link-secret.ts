// The secret that signs links in messages. Configured (LINK_SIGNING_SECRET) it is used as is; in
// development it is generated once and kept in DATA_DIR/link-signing-secret, like the dev admin key, so
// links in messages sent yesterday still work after a restart and the API and worker processes agree.
import { randomBytes } from 'node:crypto';
import type { AppConfig } from './config';
import { readOrCreateDataFile } from './data-dir-file';

export const LINK_SECRET_FILE = 'link-signing-secret';

export function resolveLinkSigningSecret(config: AppConfig, log: (line: string) => void): string {
  if (config.linkSigningSecret) return config.linkSigningSecret;
  if (config.env === 'production') {
    // loadConfig already refused production with RESEND_API_KEY and no secret: nothing leaves with these links.
    log('LINK_SIGNING_SECRET is not set: links in captured messages are signed with a secret of this process only.');
    return randomBytes(32).toString('base64url');
  }
  const secret = readOrCreateDataFile(config.dataDir, LINK_SECRET_FILE, () => randomBytes(32).toString('base64url'));
  if (secret.length < 32)
    throw new Error(`${LINK_SECRET_FILE} in DATA_DIR must hold at least 32 characters (or set LINK_SIGNING_SECRET).`);
  return secret;
}
