// The debtor's portal link for staff and integrations: read it (to send it by hand, or to check what the
// messages carry) and revoke it (a lost phone, a link forwarded by mistake). One link per debtor, covering
// every account of theirs; an agent reaches only the accounts assigned to them.
import type { FastifyInstance } from 'fastify';
import { portalUrlForDebtor, revokePortalLink } from '../../lib/portal/links';
import type { AppDeps } from '../app';
import { loadAccountFor } from '../accounts/access';
import { params } from '../schemas/account-actions';
import { problemResponses } from '../schemas/common';

type Params = { accountId: string };

const linkAnswer = {
  type: 'object',
  required: ['url', 'expiresAt'],
  properties: {
    url: { type: 'string', description: 'The debtor’s portal link (the same one `{{ portalUrl }}` renders).' },
    expiresAt: { type: 'string', format: 'date-time' },
  },
} as const;

export function portalLinkRoutes(app: FastifyInstance, deps: AppDeps) {
  const { db } = deps;

  app.get<{ Params: Params }>(
    '/v1/accounts/:accountId/portal-link',
    {
      schema: {
        tags: ['portal'],
        summary: 'The debtor’s personal portal link (one per debtor, all their accounts), valid from now.',
        description: `Signed and expiring (PORTAL_LINK_TTL_DAYS); carries no personal data and no id.`,
        params,
        response: { 200: linkAnswer, ...problemResponses(400, 401, 403, 404) },
      },
      config: { roles: ['system', 'agent'] },
    },
    async (req) => {
      const account = await loadAccountFor(db, req, req.params.accountId);
      const link = await portalUrlForDebtor(db, deps.links, account.debtorId, new Date());
      return { url: link.url, expiresAt: link.expiresAt.toISOString() };
    },
  );

  app.post<{ Params: Params }>(
    '/v1/accounts/:accountId/portal-link/revocation',
    {
      schema: {
        tags: ['portal'],
        summary: 'Revoke the debtor’s portal link: every link given so far stops working at once.',
        description:
          'The debtor’s next message (and the next GET …/portal-link) carries a new link. Revoking twice is harmless.',
        params,
        response: {
          204: { description: 'Revoked.', type: 'null' },
          ...problemResponses(400, 401, 403, 404),
        },
      },
      config: { roles: ['system', 'supervisor', 'agent'] },
    },
    async (req, reply) => {
      const account = await loadAccountFor(db, req, req.params.accountId);
      await revokePortalLink(db, account.debtorId);
      req.log.info({ accountId: account.id }, 'portal link revoked');
      return reply.code(204).send();
    },
  );
}
