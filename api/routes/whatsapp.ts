// Pairing WhatsApp sender numbers over the API. The socket lives in the worker process that serves the
// number (WHATSAPP_NUMBERS): this API only reads and writes the number's row, and that process writes
// back its status, QR and pairing code.
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { normaliseE164 } from '../../lib/phone';
import { whatsappNumbers } from '../../db/schema';
import type { AppDeps } from '../app';
import { badRequest, conflict, notFound } from '../problem';
import { getNumberSchema, registerNumberSchema, requestPairingCodeSchema } from '../schemas/whatsapp';

type NumberRow = typeof whatsappNumbers.$inferSelect;

function view(row: NumberRow) {
  return {
    id: row.id,
    status: row.status,
    qr: row.qr,
    pairingCode: row.pairingCode,
    phone: row.phone,
    pairingRequested: row.pairingRequestedPhone !== null,
    pairingError: row.pairingError,
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function whatsappRoutes(app: FastifyInstance, deps: AppDeps) {
  const { db } = deps;
  const admin = { roles: ['admin'] } as const;

  async function load(id: string): Promise<NumberRow> {
    const [row] = await db.select().from(whatsappNumbers).where(eq(whatsappNumbers.id, id));
    if (!row) throw notFound(`WhatsApp number ${id}`);
    return row;
  }

  app.post<{ Body: { id: string } }>(
    '/v1/whatsapp/numbers',
    { schema: registerNumberSchema, config: admin },
    async (req, reply) => {
      const created = await db.insert(whatsappNumbers).values({ id: req.body.id }).onConflictDoNothing().returning();
      const row = created[0] ?? (await load(req.body.id));
      return reply.code(created.length > 0 ? 201 : 200).send(view(row));
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/whatsapp/numbers/:id',
    { schema: getNumberSchema, config: admin },
    async (req) => view(await load(req.params.id)),
  );

  app.post<{ Params: { id: string }; Body: { phone: string } }>(
    '/v1/whatsapp/numbers/:id/pairing-code',
    { schema: requestPairingCodeSchema, config: admin },
    async (req, reply) => {
      const phone = normaliseE164(req.body.phone);
      if (phone === null)
        throw badRequest([{ field: 'phone', message: 'must be a valid phone number (E.164, e.g. +525512345678)' }]);
      const row = await load(req.params.id);
      if (row.status === 'connected') throw conflict(`WhatsApp number ${row.id} is already paired.`);
      const [asked] = await db
        .update(whatsappNumbers)
        .set({
          pairingRequestedPhone: phone,
          pairingRequestedAt: new Date(),
          pairingCode: null,
          pairingError: null,
          phone,
          updatedAt: new Date(),
        })
        .where(eq(whatsappNumbers.id, row.id))
        .returning();
      return reply.code(202).send(view(asked ?? row));
    },
  );
}
