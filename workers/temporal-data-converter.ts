// How this application's payloads go to Temporal: encrypted by the payload codec, failure messages and
// stack traces included. Every client and worker uses it; workflow code does not see it (the codec runs
// outside the workflow sandbox).
import { createRequire } from 'node:module';
import type { DataConverter } from '@temporalio/common';
import { ConfigError, type AppConfig } from './config';
import { readOrCreateDataFile } from './data-dir-file';
import { generateEncryptionKey, parseEncryptionKeys } from './encryption-keys';
import { EncryptionCodec, type EncryptionKey } from './payload-codec';

const require = createRequire(import.meta.url);

/** Also given to bundleWorkflowCode for prebuilt bundles, so failures raised in workflow code are encrypted too. */
export const FAILURE_CONVERTER_PATH = require.resolve('./failure-converter.cjs');

export const DEV_ENCRYPTION_KEY_FILE = 'temporal-encryption-key';

/**
 * The configured keys; outside production without TEMPORAL_ENCRYPTION_KEYS, one generated once into
 * DATA_DIR (0600), so the API, the worker and a restart read the same histories.
 */
export function resolveEncryptionKeys(config: AppConfig, log: (line: string) => void): EncryptionKey[] {
  if (config.temporal.encryptionKeys) return config.temporal.encryptionKeys;
  if (config.env === 'production') {
    throw new ConfigError([
      'TEMPORAL_ENCRYPTION_KEYS: is required in production (the same keys on every process, newest first: "id:base64key,…")',
    ]);
  }
  const list = readOrCreateDataFile(config.dataDir, DEV_ENCRYPTION_KEY_FILE, () => generateEncryptionKey('dev'));
  const parsed = parseEncryptionKeys(list);
  if ('problems' in parsed) {
    throw new ConfigError(parsed.problems.map((p) => `${DEV_ENCRYPTION_KEY_FILE} in DATA_DIR: ${p}`));
  }
  log(`Temporal payloads are encrypted with the development key in ${DEV_ENCRYPTION_KEY_FILE} (DATA_DIR).`);
  return parsed.keys;
}

export function createDataConverter(keys: readonly EncryptionKey[]): DataConverter {
  return { payloadCodecs: [new EncryptionCodec(keys)], failureConverterPath: FAILURE_CONVERTER_PATH };
}

/** The data converter for this configuration's keys. */
export function temporalDataConverter(config: AppConfig, log: (line: string) => void): DataConverter {
  return createDataConverter(resolveEncryptionKeys(config, log));
}
