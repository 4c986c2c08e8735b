// The payload encryption keys as written in TEMPORAL_ENCRYPTION_KEYS and in the development key file:
// `id:base64key` entries separated by commas, newest first. Messages name entries by id, never a key.
import { randomBytes } from 'node:crypto';
import { KEY_BYTES, type EncryptionKey } from './payload-codec';

const KEY_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** The keys, or the problems of the list (each names the entry, none shows a key). */
export function parseEncryptionKeys(list: string): { keys: EncryptionKey[] } | { problems: string[] } {
  const keys: EncryptionKey[] = [];
  const problems: string[] = [];
  const entries = list
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  if (entries.length === 0) problems.push('lists no key (expected "id:base64key,…", newest first)');
  entries.forEach((entry, i) => {
    const colon = entry.indexOf(':');
    const id = colon > 0 ? entry.slice(0, colon).trim() : '';
    const encoded = colon > 0 ? entry.slice(colon + 1).trim() : '';
    const name = `entry ${i + 1}`;
    if (!KEY_ID.test(id)) {
      problems.push(`${name} must be "id:base64key" with an id of letters, digits, ".", "-" or "_" (at most 64)`);
      return;
    }
    const key = BASE64.test(encoded) ? Buffer.from(encoded, 'base64') : undefined;
    if (key?.length !== KEY_BYTES) {
      problems.push(
        `key "${id}" must be ${KEY_BYTES} bytes in base64 (${key ? `it is ${key.length}` : 'it is not base64'}); generate one with \`openssl rand -base64 32\``,
      );
      return;
    }
    if (keys.some((k) => k.id === id)) problems.push(`key id "${id}" appears twice`);
    else keys.push({ id, key });
  });
  return problems.length > 0 ? { problems } : { keys };
}

/** A new key in the list format, its id telling where it came from. */
export function generateEncryptionKey(idPrefix: string): string {
  return `${idPrefix}-${randomBytes(4).toString('hex')}:${randomBytes(KEY_BYTES).toString('base64')}`;
}
