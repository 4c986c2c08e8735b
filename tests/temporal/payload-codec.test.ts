// The payload codec and its keys: what Temporal stores is ciphertext under the newest key, every configured
// key still decrypts, altered or foreign payloads fail by name, and unencrypted payloads pass through.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ApplicationFailure, defaultPayloadConverter, type Payload } from '@temporalio/common';
import { loadDataConverter } from '@temporalio/common/lib/internal-non-workflow';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../workers/config';
import { parseEncryptionKeys } from '../../workers/encryption-keys';
import { EncryptionCodec, PayloadDecryptionError } from '../../workers/payload-codec';
import { DEV_ENCRYPTION_KEY_FILE, resolveEncryptionKeys } from '../../workers/temporal-data-converter';
import { TEST_TEMPORAL_ENCRYPTION_KEYS, testDataConverter, testEncryptionKeys } from '../support/temporal';

const [newest, older] = testEncryptionKeys();
if (!newest || !older) throw new Error('the test key list holds two keys');
const secretText = 'Factura FAC-7781, referencia SPEI 0042, disputa: cobro duplicado';
const plain = () => defaultPayloadConverter.toPayload({ note: secretText });
const str = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('utf8');
const latin1 = (p: Payload) => Buffer.from(p.data ?? []).toString('latin1');

describe('EncryptionCodec', () => {
  it('round-trips a payload, keeping its metadata, and stores none of its text', async () => {
    const codec = new EncryptionCodec([newest]);
    const [encoded] = await codec.encode([plain()]);
    expect(str(encoded?.metadata?.encoding)).toBe('binary/encrypted');
    expect(str(encoded?.metadata?.['encryption-key-id'])).toBe(newest.id);
    expect(Object.keys(encoded?.metadata ?? {}).sort()).toEqual(['encoding', 'encryption-key-id']);
    expect(latin1(encoded!)).not.toContain('FAC-7781');
    expect(latin1(encoded!)).not.toContain('json/plain');
    const [decoded] = await codec.decode([encoded!]);
    expect(str(decoded?.metadata?.encoding)).toBe('json/plain');
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual({ note: secretText });
  });

  it('uses a fresh IV each time: the same value never gives the same ciphertext', async () => {
    const codec = new EncryptionCodec([newest]);
    const [a, b] = await codec.encode([plain(), plain()]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  });

  it('encrypts with the newest key and still decrypts with an older one (rotation)', async () => {
    const before = new EncryptionCodec([older]);
    const [written] = await before.encode([plain()]);
    const rotated = new EncryptionCodec([newest, older]);
    const [read] = await rotated.decode([written!]);
    expect(defaultPayloadConverter.fromPayload(read!)).toEqual({ note: secretText });
    const [rewritten] = await rotated.encode([plain()]);
    expect(str(rewritten?.metadata?.['encryption-key-id'])).toBe(newest.id);
    // Once the old key is dropped, what it wrote no longer decrypts: a named failure, not garbage.
    await expect(new EncryptionCodec([newest]).decode([written!])).rejects.toThrow(
      new RegExp(`encrypted with key "${older.id}", which is not among the configured keys \\(${newest.id}\\)`),
    );
  });

  it('refuses a tampered ciphertext, and a payload whose key id was swapped', async () => {
    const codec = new EncryptionCodec([newest, older]);
    const [encoded] = await codec.encode([plain()]);
    const data = Buffer.from(encoded!.data!);
    data[20] = data[20]! ^ 0x01;
    const tampered = { ...encoded!, data };
    await expect(codec.decode([plain(), tampered])).rejects.toSatisfy(
      (err: unknown) =>
        err instanceof PayloadDecryptionError && err.index === 1 && /does not authenticate/.test(err.message),
    );
    const swapped = { ...encoded!, metadata: { ...encoded!.metadata, 'encryption-key-id': Buffer.from(older.id) } };
    await expect(codec.decode([swapped])).rejects.toThrow(/does not authenticate/);
    const truncated = { ...encoded!, data: data.subarray(0, 10) };
    await expect(codec.decode([truncated])).rejects.toThrow(/too short/);
  });

  it('fails clearly on an unknown or missing key id', async () => {
    const codec = new EncryptionCodec([newest]);
    const [encoded] = await codec.encode([plain()]);
    const unknown = { ...encoded!, metadata: { ...encoded!.metadata, 'encryption-key-id': Buffer.from('k-gone') } };
    await expect(codec.decode([unknown])).rejects.toThrow(
      /encrypted with key "k-gone", which is not among the configured keys \(test-2\): add it to TEMPORAL_ENCRYPTION_KEYS/,
    );
    const { 'encryption-key-id': _dropped, ...metadata } = encoded!.metadata!;
    await expect(codec.decode([{ ...encoded!, metadata }])).rejects.toThrow(/no encryption-key-id metadata/);
  });

  it('passes through payloads that were never encrypted (histories recorded before encryption)', async () => {
    const codec = new EncryptionCodec([newest]);
    const untouched = [plain(), defaultPayloadConverter.toPayload(undefined), { metadata: {}, data: new Uint8Array() }];
    const decoded = await codec.decode(untouched);
    expect(decoded).toEqual(untouched);
  });

  it('refuses keys that are not 32 bytes, duplicate ids and an empty list', () => {
    expect(() => new EncryptionCodec([])).toThrow(/at least one key/);
    expect(() => new EncryptionCodec([{ id: 'short', key: new Uint8Array(16) }])).toThrow(/"short" must be 32 bytes/);
    expect(() => new EncryptionCodec([newest, { ...older, id: newest.id }])).toThrow(/unique/);
  });
});

describe('failure messages', () => {
  it('travel as an encoded payload, so the codec encrypts them', async () => {
    const converter = loadDataConverter(testDataConverter());
    const failure = converter.failureConverter.errorToFailure(
      ApplicationFailure.nonRetryable(`Resend refused ana@example.com: ${secretText}`),
      converter.payloadConverter,
    );
    expect(failure.message).toBe('Encoded failure');
    expect(failure.stackTrace).toBe('');
    const [encoded] = await converter.payloadCodecs[0]!.encode([failure.encodedAttributes!]);
    expect(latin1(encoded!)).not.toContain('ana@example.com');
    const [decoded] = await converter.payloadCodecs[0]!.decode([encoded!]);
    const error = converter.failureConverter.failureToError(
      { ...failure, encodedAttributes: decoded },
      converter.payloadConverter,
    );
    expect(error.message).toContain('ana@example.com');
  });
});

describe('TEMPORAL_ENCRYPTION_KEYS', () => {
  const key32 = Buffer.alloc(32, 7).toString('base64');

  it('reads "id:base64key" entries, newest first', () => {
    const config = loadConfig({
      TEMPORAL_ENCRYPTION_KEYS: ` k9:${key32} , k8:${Buffer.alloc(32, 8).toString('base64url')}`,
    });
    expect(config.temporal.encryptionKeys?.map((k) => k.id)).toEqual(['k9', 'k8']);
    expect(Buffer.from(config.temporal.encryptionKeys![1]!.key).equals(Buffer.alloc(32, 8))).toBe(true);
    expect(
      loadConfig({ TEMPORAL_ENCRYPTION_KEYS: TEST_TEMPORAL_ENCRYPTION_KEYS }).temporal.encryptionKeys,
    ).toHaveLength(2);
  });

  it('names the variable and the entry, never the key', () => {
    const short = Buffer.alloc(16, 1).toString('base64');
    const attempt = (list: string) => {
      try {
        loadConfig({ TEMPORAL_ENCRYPTION_KEYS: list });
      } catch (err) {
        return (err as Error).message;
      }
      return 'accepted';
    };
    const tooShort = attempt(`k1:${short}`);
    expect(tooShort).toMatch(/TEMPORAL_ENCRYPTION_KEYS: key "k1" must be 32 bytes in base64 \(it is 16\)/);
    expect(tooShort).not.toContain(short);
    expect(attempt('k1:not base64!')).toMatch(
      /TEMPORAL_ENCRYPTION_KEYS: key "k1" must be 32 bytes in base64 \(it is not base64\)/,
    );
    expect(attempt(key32)).toMatch(/TEMPORAL_ENCRYPTION_KEYS: entry 1 must be "id:base64key"/);
    expect(attempt(`k1:${key32},k1:${key32}`)).toMatch(/TEMPORAL_ENCRYPTION_KEYS: key id "k1" appears twice/);
    expect(attempt(' , ')).toMatch(/TEMPORAL_ENCRYPTION_KEYS: lists no key/);
    expect(attempt(`k1:${key32}`)).toBe('accepted');
  });

  it('is required in production', () => {
    const config = loadConfig({ NODE_ENV: 'production' });
    expect(() => resolveEncryptionKeys(config, () => undefined)).toThrow(
      /TEMPORAL_ENCRYPTION_KEYS: is required in production/,
    );
  });

  it('is generated once in development, kept in DATA_DIR (0600) in the same format', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'temporal-key-'));
    try {
      const config = loadConfig({ DATA_DIR: dir });
      const first = resolveEncryptionKeys(config, () => undefined);
      expect(first).toHaveLength(1);
      expect(first[0]?.id).toMatch(/^dev-[0-9a-f]{8}$/);
      expect(first[0]?.key).toHaveLength(32);
      const again = resolveEncryptionKeys(loadConfig({ DATA_DIR: dir }), () => undefined);
      expect(again).toEqual(first);
      const file = path.join(dir, DEV_ENCRYPTION_KEY_FILE);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const content = readFileSync(file, 'utf8').trim();
      expect(parseEncryptionKeys(content)).toEqual({ keys: first });
      // Configured keys win over the file.
      const configured = resolveEncryptionKeys(
        loadConfig({ DATA_DIR: dir, TEMPORAL_ENCRYPTION_KEYS: TEST_TEMPORAL_ENCRYPTION_KEYS }),
        () => undefined,
      );
      expect(configured.map((k) => k.id)).toEqual(['test-2', 'test-1']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('TEMPORAL_UI_ORIGINS', () => {
  it('defaults to the dev server UI and takes a list of origins', () => {
    expect(loadConfig({}).temporal.webUiOrigins).toEqual(['http://127.0.0.1:8233', 'http://localhost:8233']);
    expect(loadConfig({ TEMPORAL_UI_PORT: '9233' }).temporal.webUiOrigins).toEqual([
      'http://127.0.0.1:9233',
      'http://localhost:9233',
    ]);
    expect(
      loadConfig({ TEMPORAL_UI_ORIGINS: 'https://temporal.example.com, http://localhost:8233' }).temporal.webUiOrigins,
    ).toEqual(['https://temporal.example.com', 'http://localhost:8233']);
    expect(() => loadConfig({ TEMPORAL_UI_ORIGINS: 'https://temporal.example.com/ui' })).toThrow(
      /TEMPORAL_UI_ORIGINS\.0: must be an origin/,
    );
  });
});

describe('under Node’s own ESM loader (npm start, scripts run with tsx)', () => {
  it('the codec and the codec route load: @temporalio/proto is CommonJS, its namespaces are no named exports', () => {
    const modules = ['../../workers/payload-codec.ts', '../../api/routes/temporal-codec.ts'].map(
      (m) => pathToFileURL(path.resolve(import.meta.dirname, m)).href,
    );
    const run = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        modules.map((m) => `await import(${JSON.stringify(m)});`).join(''),
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(run.stderr).not.toMatch(/SyntaxError/);
    expect(run.status).toBe(0);
  });
});
