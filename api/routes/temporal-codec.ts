// The codec endpoint: lets the Temporal Web UI and CLI show the payloads this deployment encrypts, to
// the roles allowed to read them, with the same codec this API's Temporal client uses.
import cors from '@fastify/cors';
import type { Payload, PayloadCodec } from '@temporalio/common';
// A CommonJS package whose namespaces Node's ESM loader cannot see as named exports: read from its default.
import proto from '@temporalio/proto';
import type { FastifyInstance } from 'fastify';
import { PayloadDecryptionError } from '../../workers/payload-codec';
import type { AppDeps } from '../app';
import { ProblemError } from '../problem';
import { decodeSchema, encodeSchema } from '../schemas/temporal-codec';

const { Payload: PayloadMessage } = proto.temporal.api.common.v1;
type JsonPayload = { metadata?: Record<string, string>; data?: string };

const fromJson = (p: JsonPayload): Payload => PayloadMessage.fromObject(p);
const toJson = (p: Payload) => PayloadMessage.toObject(PayloadMessage.fromObject(p), { bytes: String }) as JsonPayload;

/** Registered under the prefix /v1/temporal-codec. */
export async function temporalCodecRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const { namespace, webUiOrigins } = deps.config.temporal;
  const codecs: PayloadCodec[] = deps.temporal.options.loadedDataConverter.payloadCodecs;
  // The Web UI calls from its own origin and sends X-Namespace, so the browser asks first (preflight).
  await app.register(cors, {
    origin: webUiOrigins,
    methods: ['POST'],
    allowedHeaders: ['authorization', 'content-type', 'x-namespace'],
    maxAge: 600,
  });
  const allowed = { roles: ['admin', 'supervisor'] } as const;

  // Another X-Namespace than this deployment's is refused by the schema (a 400 naming headers.x-namespace).
  const run = async (
    given: { body: { payloads: JsonPayload[] } },
    step: (codec: PayloadCodec, payloads: Payload[]) => Promise<Payload[]>,
    order: readonly PayloadCodec[],
  ) => {
    let payloads = given.body.payloads.map(fromJson);
    try {
      for (const codec of order) payloads = await step(codec, payloads);
    } catch (err) {
      if (!(err instanceof PayloadDecryptionError)) throw err;
      throw new ProblemError(422, 'Unprocessable Content', err.message, [
        { field: `payloads[${err.index}]`, message: err.message },
      ]);
    }
    return { payloads: payloads.map(toJson) };
  };

  app.post<{ Body: { payloads: JsonPayload[] } }>(
    '/decode',
    { schema: decodeSchema(namespace), config: allowed },
    (req) => run(req, (codec, p) => codec.decode(p), [...codecs].reverse()),
  );
  app.post<{ Body: { payloads: JsonPayload[] } }>(
    '/encode',
    { schema: encodeSchema(namespace), config: allowed },
    (req) => run(req, (codec, p) => codec.encode(p), codecs),
  );
}
