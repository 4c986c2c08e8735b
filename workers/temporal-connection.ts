// Connections to Temporal for the API (client) and the worker (native), from one TemporalConfig.
import { readFile } from 'node:fs/promises';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import type { TLSConfig } from '@temporalio/common/lib/internal-non-workflow';
import { allSearchAttributes, type TemporalConfig } from '../temporal.config';

async function tlsOptions(config: TemporalConfig): Promise<TLSConfig | false> {
  if (!config.tls) return false;
  const { clientCertPath, clientKeyPath, serverRootCaCertPath, serverName } = config.tls;
  return {
    serverNameOverride: serverName,
    serverRootCACertificate: serverRootCaCertPath ? await readFile(serverRootCaCertPath) : undefined,
    clientCertPair:
      clientCertPath && clientKeyPath
        ? { crt: await readFile(clientCertPath), key: await readFile(clientKeyPath) }
        : undefined,
  };
}

function requireAddress(config: TemporalConfig): string {
  if (!config.address) throw new Error('TEMPORAL_ADDRESS is not set and no dev server was started.');
  return config.address;
}

/** `dataConverter`: the one of workers/temporal-data-converter.ts, so the client reads and writes encrypted payloads. */
export async function connectClient(config: TemporalConfig, dataConverter: DataConverter): Promise<Client> {
  const connection = await Connection.connect({
    address: requireAddress(config),
    tls: await tlsOptions(config),
    apiKey: config.apiKey,
  });
  return new Client({ connection, namespace: config.namespace, dataConverter });
}

export async function connectWorkerConnection(config: TemporalConfig): Promise<NativeConnection> {
  return NativeConnection.connect({
    address: requireAddress(config),
    tls: await tlsOptions(config),
    apiKey: config.apiKey,
  });
}

/**
 * Registers the custom search attributes (idempotent). Temporal Cloud does not allow this over
 * the API key's operator service: there they are created once with `tcld` (see README).
 */
export async function ensureSearchAttributes(
  client: Client,
  namespace: string,
  log: (line: string) => void,
): Promise<void> {
  const typeIds: Record<string, number> = {
    TEXT: 1,
    KEYWORD: 2,
    INT: 3,
    DOUBLE: 4,
    BOOL: 5,
    DATETIME: 6,
    KEYWORD_LIST: 7,
  };
  try {
    const existing = await client.connection.operatorService.listSearchAttributes({ namespace });
    const missing = allSearchAttributes.filter((k) => !(k.name in (existing.customAttributes ?? {})));
    if (missing.length === 0) return;
    await client.connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((k) => [k.name, typeIds[k.type] ?? 0])),
    });
    log(`Registered search attributes: ${missing.map((k) => k.name).join(', ')}`);
  } catch (err) {
    log(`Could not register search attributes (${(err as Error).message}); create them with the Temporal CLI or tcld.`);
  }
}
