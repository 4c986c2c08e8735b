// The audit log: every write request under /v1 is recorded after its answer (who, route, target, the redacted
// body, the status, the account before and after), and supervisors and admins read it back.
import { eq } from 'drizzle-orm';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Db } from '../../db/client';
import { accounts } from '../../db/schema';
import { auditBody } from '../../lib/audit/redact';
import { auditPage, writeAuditEntry, type AuditFilters } from '../../lib/audit/log';
import type { AppDeps } from '../app';
import { decodeCursor, encodeCursor } from '../cursor';
import { formatAmount } from '../money';
import { badRequest } from '../problem';
import { auditListSchema } from '../schemas/audit';

declare module 'fastify' {
  interface FastifyRequest {
    /** The account read model before the request, on account routes (see the audit log's `before`). */
    auditBefore?: AccountState | null;
  }
}

interface AccountState {
  status: string;
  stage: string;
  balance: { amount: string; currency: string };
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const auditRoles = ['admin', 'supervisor'] as const;

const audited = (req: FastifyRequest) => !READS.has(req.method) && req.url.startsWith('/v1/');

function accountIdOf(req: FastifyRequest): string | null {
  const id = (req.params as Record<string, unknown> | undefined)?.accountId;
  return typeof id === 'string' && UUID.test(id) ? id : null;
}

async function accountState(db: Db, accountId: string): Promise<AccountState | null> {
  const [row] = await db
    .select({
      status: accounts.status,
      stage: accounts.stage,
      minor: accounts.balanceMinor,
      currency: accounts.currency,
    })
    .from(accounts)
    .where(eq(accounts.id, accountId));
  return row
    ? {
        status: row.status,
        stage: row.stage,
        balance: { amount: formatAmount(row.minor, row.currency), currency: row.currency },
      }
    : null;
}

/**
 * Routes whose bodies are never kept: the Temporal codec's payloads are workflow data (debtors' names, emails)
 * in base64, which no field name gives away.
 */
const BODY_NOT_KEPT = ['/v1/temporal-codec/'];

/** Only JSON bodies of routes that need a key: public routes carry providers' payloads and debtors' data. */
function keptBody(req: FastifyRequest): unknown {
  if (!req.routeOptions.config?.roles) return null;
  if (BODY_NOT_KEPT.some((prefix) => req.routeOptions.url?.startsWith(prefix))) return null;
  if (!/json/i.test(req.headers['content-type'] ?? '')) return null;
  return auditBody(req.body);
}

function checkPeriod(q: AuditFilters): void {
  if (q.from !== undefined && q.to !== undefined && Date.parse(q.from) > Date.parse(q.to))
    throw badRequest([{ field: 'querystring.from', message: `is after to (${q.to})` }]);
}
export { checkPeriod as checkAuditPeriod };

/** The hooks that write the log (registered before every route) and `GET /v1/audit`. */
export function auditRoutes(app: FastifyInstance, deps: AppDeps) {
  const { db } = deps;
  app.addHook('preHandler', async (req) => {
    const accountId = audited(req) ? accountIdOf(req) : null;
    if (accountId === null) return;
    req.auditBefore = await accountState(db, accountId).catch((err: unknown) => {
      req.log.warn({ err }, 'audit: account state before the request not read');
      return null;
    });
  });
  // After the answer is sent: the client never waits for its audit entry, and a failure only logs.
  app.addHook('onResponse', async (req, reply) => {
    if (!audited(req)) return;
    try {
      const accountId = accountIdOf(req);
      const status = reply.statusCode;
      const synchronous = status >= 200 && status < 300 && status !== 202;
      await writeAuditEntry(db, {
        // When the request arrived, not when its entry is written: entries are in the order of the requests.
        at: new Date(Date.now() - reply.elapsedTime),
        requestId: req.id,
        keyId: req.principal?.keyId ?? null,
        role: req.principal?.role ?? null,
        userId: req.principal?.userId ?? null,
        method: req.method,
        route: (req.routeOptions.url ?? req.url.split('?')[0] ?? '').slice(0, 500),
        target: req.routeOptions.url ? (req.params ?? {}) : {},
        accountId,
        body: keptBody(req),
        statusCode: status,
        before: req.auditBefore ?? null,
        after: accountId !== null && synchronous ? await accountState(db, accountId) : null,
      });
    } catch (err) {
      req.log.warn({ err }, 'audit entry not written');
    }
  });

  app.get<{ Querystring: AuditFilters & { limit: number; cursor?: string } }>(
    '/v1/audit',
    { schema: auditListSchema, config: { roles: auditRoles } },
    async (req) => {
      const { limit, cursor, ...filters } = req.query;
      checkPeriod(filters);
      const after =
        cursor === undefined ? undefined : (decodeCursor(cursor, ['pgTimestamp', 'uuid']) as [string, string]);
      const page = await auditPage(db, filters, limit, after);
      return {
        items: page.rows.map((r) => ({ ...r, at: r.at.toISOString() })),
        nextCursor: page.next ? encodeCursor(page.next) : null,
      };
    },
  );
}
