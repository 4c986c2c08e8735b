// Every payload that leaves a client or worker for Temporal is encrypted with AES-256-GCM: workflow and
// activity inputs and results, signals, updates, queries, memos and failure details carry dispute reasons,
// payment references, invoice numbers and free text, which Temporal's database must not hold in the clear.
// Several keys may be configured: the first (newest) encrypts, all of them decrypt, so a key is rotated by
// adding a new one in front and dropping the old one once no open history needs it.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, ValueError, type Payload, type PayloadCodec } from '@temporalio/common';
// A CommonJS package whose namespaces Node's ESM loader cannot see as named exports: read from its default.
import proto from '@temporalio/proto';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
export const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface EncryptionKey {
  /** Written in clear into each payload's metadata: a name, never anything personal. */
  id: string;
  key: Uint8Array;
}

/** A payload the codec cannot decrypt; `index` is its place in the array it came in. */
export class PayloadDecryptionError extends Error {
  constructor(
    message: string,
    readonly index: number,
  ) {
    super(message);
    this.name = 'PayloadDecryptionError';
  }
}

const { Payload: PayloadMessage } = proto.temporal.api.common.v1;
const text = (bytes: Uint8Array | null | undefined) => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);

export class EncryptionCodec implements PayloadCodec {
  private readonly keys: ReadonlyMap<string, Uint8Array>;
  private readonly current: EncryptionKey;

  /** `keys` newest first. */
  constructor(keys: readonly EncryptionKey[]) {
    const [current] = keys;
    if (!current) throw new ValueError('EncryptionCodec needs at least one key.');
    for (const k of keys) {
      if (k.key.length !== KEY_BYTES) throw new ValueError(`Encryption key "${k.id}" must be ${KEY_BYTES} bytes.`);
    }
    this.keys = new Map(keys.map((k) => [k.id, k.key]));
    if (this.keys.size !== keys.length) throw new ValueError('Encryption key ids must be unique.');
    this.current = current;
  }

  // Synchronous work inside a promise: a payload that fails rejects the call instead of throwing out of it.
  encode(payloads: Payload[]): Promise<Payload[]> {
    return new Promise((resolve) => resolve(payloads.map((payload) => this.encrypt(payload))));
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    return new Promise((resolve) => resolve(payloads.map((payload, index) => this.decrypt(payload, index))));
  }

  private encrypt(payload: Payload): Payload {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    const plain = PayloadMessage.encode(payload).finish();
    const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: {
        [METADATA_ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING),
        [KEY_ID_METADATA]: Buffer.from(this.current.id),
      },
      data: sealed,
    };
  }

  private decrypt(payload: Payload, index: number): Payload {
    // Payloads written before encryption (and recorded test histories) pass through unchanged.
    if (text(payload.metadata?.[METADATA_ENCODING_KEY]) !== ENCRYPTED_ENCODING) return payload;
    const keyId = text(payload.metadata?.[KEY_ID_METADATA]);
    if (!keyId) throw new PayloadDecryptionError(`An encrypted payload has no ${KEY_ID_METADATA} metadata.`, index);
    const key = this.keys.get(keyId);
    if (!key) {
      throw new PayloadDecryptionError(
        `A payload is encrypted with key "${keyId}", which is not among the configured keys (${[...this.keys.keys()].join(', ')}): add it to TEMPORAL_ENCRYPTION_KEYS.`,
        index,
      );
    }
    const data = Buffer.from(payload.data ?? []);
    if (data.length < IV_BYTES + TAG_BYTES) {
      throw new PayloadDecryptionError(`An encrypted payload (key "${keyId}") is too short.`, index);
    }
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new PayloadDecryptionError(
        `A payload encrypted with key "${keyId}" does not authenticate: it was altered, or the key of that id is not the one it was written with.`,
        index,
      );
    }
    return PayloadMessage.decode(plain);
  }
}
