// Temporal clients for tests: the application encrypts payloads, so a test's client uses the same keys as
// the test app (testConfig sets TEMPORAL_ENCRYPTION_KEYS to these), and can decode a raw history.
import { Client, Connection } from '@temporalio/client';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { inject } from 'vitest';
import { testDataConverter } from './temporal-keys';

export { TEST_TEMPORAL_ENCRYPTION_KEYS, testDataConverter, testEncryptionKeys } from './temporal-keys';

/** A client of the run's Temporal server that reads the test app's encrypted payloads. */
export async function connectTestClient(address: string = inject('temporalAddress')): Promise<Client> {
  return new Client({ connection: await Connection.connect({ address }), dataConverter: testDataConverter() });
}

/** A temporal.api.common.v1.Payload (the SDK's protos are reflection types: checked by shape). */
const isPayload = (v: unknown): v is Payload =>
  typeof v === 'object' &&
  v !== null &&
  ArrayBuffer.isView((v as Payload).data) &&
  typeof (v as Payload).metadata === 'object' &&
  (v as Payload).metadata !== null;

/** Every payload inside a proto object (a history, an event, a description), wherever it sits. */
export function payloadsIn(value: unknown, found: Payload[] = []): Payload[] {
  if (isPayload(value)) found.push(value);
  else if (Array.isArray(value)) for (const v of value) payloadsIn(v, found);
  else if (value && typeof value === 'object' && !ArrayBuffer.isView(value))
    for (const v of Object.values(value)) payloadsIn(v, found);
  return found;
}

/** The same object with every payload run through `codec.decode`, in place (as the Web UI shows it). */
export async function decodeInPlace<T>(value: T, codec: PayloadCodec): Promise<T> {
  const visit = async (node: unknown): Promise<void> => {
    if (!node || typeof node !== 'object' || ArrayBuffer.isView(node)) return;
    const entries = Array.isArray(node) ? node.entries() : Object.entries(node);
    await Promise.all(
      [...entries].map(async ([key, child]) => {
        if (isPayload(child)) {
          const [decoded] = await codec.decode([child]);
          (node as Record<string | number, unknown>)[key] = decoded;
        } else await visit(child);
      }),
    );
  };
  await visit(value);
  return value;
}

/** A workflow's history with its payloads decrypted, read through `client` (which must hold the keys). */
export async function decodedHistory(client: Client, workflowId: string) {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const [codec] = client.options.loadedDataConverter.payloadCodecs;
  return codec ? decodeInPlace(history, codec) : history;
}
