// The test keys of payload encryption (no vitest import: scripts such as record-histories use them too).
import type { DataConverter } from '@temporalio/common';
import { parseEncryptionKeys } from '../../workers/encryption-keys';
import type { EncryptionKey } from '../../workers/payload-codec';
import { createDataConverter } from '../../workers/temporal-data-converter';

/** Two keys, newest first, as a rotated deployment has them. */
export const TEST_TEMPORAL_ENCRYPTION_KEYS =
  'test-2:Ux9fVYn5lFUyej83O9RbqCzLzWGlJH8GxtxEygxT9MQ=,test-1:ar/YPltvMccC1lBj4hwS1BkK0MlvxQgbcbHSiEK01to=';

export function testEncryptionKeys(list = TEST_TEMPORAL_ENCRYPTION_KEYS): EncryptionKey[] {
  const parsed = parseEncryptionKeys(list);
  if ('problems' in parsed) throw new Error(parsed.problems.join('; '));
  return parsed.keys;
}

export function testDataConverter(): DataConverter {
  return createDataConverter(testEncryptionKeys());
}
