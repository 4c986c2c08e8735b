// GET /v1/accounts/{accountId}/profile: the debtor's contacts, invoices and sent messages of one account.
import type { FastifyInstance } from 'fastify';
import { accountProfile } from '../../lib/accounts/profile';
import type { AppDeps } from '../app';
import { loadAccountFor } from '../accounts/access';
import { formatAmount } from '../money';
import { notFound } from '../problem';
import { accountProfileSchema } from '../schemas/account-profile';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function accountProfileRoutes(app: FastifyInstance, deps: Pick<AppDeps, 'db'>): void {
  app.get<{ Params: { accountId: string } }>(
    '/v1/accounts/:accountId/profile',
    { schema: accountProfileSchema, config: { roles: ['system', 'supervisor', 'agent'] } },
    async (req) => {
      const account = await loadAccountFor(deps.db, req, req.params.accountId);
      const profile = await accountProfile(deps.db, account);
      if (!profile.debtor) throw notFound(`Account ${account.id}`);
      const d = profile.debtor;
      return {
        accountId: account.id,
        debtor: {
          externalId: d.externalId,
          name: d.name,
          kind: d.kind,
          country: d.country,
          email: d.email,
          phone: d.phone,
          timezone: d.timezone,
          locale: d.locale,
        },
        invoices: profile.invoices.map((i) => ({
          externalId: i.externalId,
          amount: formatAmount(i.amountMinor, i.currency),
          currency: i.currency,
          dueDate: i.dueDate,
          issuedAt: i.issuedAt,
        })),
        messages: profile.messages.map((m) => ({
          id: m.id,
          channel: m.channel,
          template: m.template,
          status: m.status,
          deliveryStatus: m.deliveryStatus,
          deliveryUpdatedAt: iso(m.deliveryUpdatedAt),
          subject: m.subject,
          bodyText: m.bodyText,
          createdAt: m.createdAt.toISOString(),
          sentAt: iso(m.sentAt),
        })),
      };
    },
  );
}
