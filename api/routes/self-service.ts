// What a debtor does from a link in a message, without a key: today the one-click opt-out every email
// carries. GET shows a confirmation page and changes nothing (mail scanners follow links); POST — the
// page's button, or a mail client's RFC 8058 one-click request — records the opt-out for the debtor and
// tells every open account of theirs through the outbox, once.
import { eq } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { accounts, debtors } from '../../db/schema';
import { recordChannelStatus } from '../../lib/channel-status';
import type { AppDeps } from '../app';
import { problemBody } from '../problem';
import { OPT_OUT_PATH, verifyOptOutToken } from '../../lib/links';

type Lang = 'es' | 'en';
type Query = { token: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const texts = {
  es: {
    confirmTitle: 'Dejar de recibir correos',
    confirm:
      'Confirma que ya no quieres recibir nuestros correos de cobranza. Seguiremos pudiendo contactarte por otros medios que la ley permita.',
    button: 'Dejar de recibir correos',
    doneTitle: 'Listo',
    done: 'No te enviaremos más correos de cobranza.',
    badTitle: 'Enlace no válido',
    bad: 'Este enlace no es válido o ya venció. Puedes responder a cualquiera de nuestros correos para pedir que no te escribamos más.',
  },
  en: {
    confirmTitle: 'Stop receiving emails',
    confirm:
      'Please confirm that you no longer want to receive our collection emails. We may still contact you by other means the law allows.',
    button: 'Stop receiving emails',
    doneTitle: 'Done',
    done: 'We will not send you any more collection emails.',
    badTitle: 'Invalid link',
    bad: 'This link is not valid or has expired. You can reply to any of our emails to ask us to stop writing to you.',
  },
} as const;

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(lang: Lang, title: string, body: string): string {
  return (
    `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title>` +
    '<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;line-height:1.5}button{font:inherit;padding:.6rem 1.2rem}</style>' +
    `</head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`
  );
}

/** Browsers (the confirmation page's form) get pages; mail clients' one-click POSTs and API callers get JSON. */
function wantsHtml(req: FastifyRequest): boolean {
  return /\btext\/html\b/.test(req.headers.accept ?? '');
}

function headerLang(req: FastifyRequest): Lang {
  const accept = (req.headers['accept-language'] ?? '').toLowerCase();
  if (accept === '') return 'es';
  const first = accept.split(',')[0]?.trim() ?? '';
  return first.startsWith('en') ? 'en' : 'es';
}

function langOf(locale: string | null, req: FastifyRequest): Lang {
  if (!locale) return headerLang(req);
  return /^es(?:[-_]|$)/i.test(locale) ? 'es' : 'en';
}

function send(reply: FastifyReply, status: number, html: string) {
  return reply.code(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(html);
}

const htmlContent = {
  'text/html': { schema: { type: 'string', description: 'A small page in the debtor’s language (es/en).' } },
};
const badLink = {
  description: 'The link is malformed, tampered with or expired (whether the account exists is never told).',
  content: { 'application/problem+json': { schema: { $ref: 'Problem#' } }, ...htmlContent },
};
const querystring = {
  type: 'object',
  required: ['token'],
  additionalProperties: false,
  properties: {
    token: {
      type: 'string',
      minLength: 1,
      maxLength: 512,
      description: 'the signed token from the link in the message',
    },
  },
} as const;

export function selfServiceRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const { db, outbox } = deps;

  // RFC 8058: the one-click POST is form-encoded (or multipart); its content is fixed and not needed.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );
  app.addContentTypeParser('multipart/form-data', { parseAs: 'string' }, (_req, _body, done) => done(null, {}));

  /** The verified link's account and debtor, or a 400 answer (the same whatever went wrong). */
  async function resolve(req: FastifyRequest<{ Querystring: Query }>) {
    const verified = verifyOptOutToken(req.query.token, deps.links.secret);
    if (!verified.ok || !UUID.test(verified.claims.accountId)) return null;
    const [row] = await db
      .select({ accountId: accounts.id, debtorId: accounts.debtorId, locale: debtors.locale })
      .from(accounts)
      .innerJoin(debtors, eq(debtors.id, accounts.debtorId))
      .where(eq(accounts.id, verified.claims.accountId));
    return row ? { ...row, channel: verified.claims.channel } : null;
  }

  function refuse(req: FastifyRequest, reply: FastifyReply) {
    if (wantsHtml(req)) {
      const t = texts[headerLang(req)];
      return send(reply, 400, page(headerLang(req), t.badTitle, `<p>${escapeHtml(t.bad)}</p>`));
    }
    return reply
      .code(400)
      .header('cache-control', 'no-store')
      .type('application/problem+json')
      .send(problemBody(400, 'Bad Request', 'The opt-out link is not valid or has expired.'));
  }

  app.get<{ Querystring: Query }>(
    OPT_OUT_PATH,
    {
      schema: {
        tags: ['self-service'],
        summary: 'The confirmation page of an opt-out link (changes nothing: mail scanners follow links).',
        security: [],
        querystring,
        response: {
          200: { description: 'A page with a button that confirms the opt-out (POST).', content: htmlContent },
          400: badLink,
        },
      },
    },
    async (req, reply) => {
      const target = await resolve(req);
      if (!target) return refuse(req, reply);
      const lang = langOf(target.locale, req);
      const t = texts[lang];
      const action = `${OPT_OUT_PATH}?token=${encodeURIComponent(req.query.token)}`;
      const form =
        `<p>${escapeHtml(t.confirm)}</p><form method="post" action="${escapeHtml(action)}">` +
        `<input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">${escapeHtml(t.button)}</button></form>`;
      return send(reply, 200, page(lang, t.confirmTitle, form));
    },
  );

  app.post<{ Querystring: Query; Body: Record<string, string> | undefined }>(
    OPT_OUT_PATH,
    {
      schema: {
        tags: ['self-service'],
        summary:
          'Opt out with a signed link: the confirmation page’s button, or a mail client’s RFC 8058 one-click POST.',
        description:
          'Records the opt-out for the debtor and channel and signals `optedOut` to every open account of the debtor; a repeated request changes nothing. Answers a page to browsers (Accept: text/html), JSON otherwise.',
        security: [],
        consumes: ['application/x-www-form-urlencoded', 'multipart/form-data'],
        querystring,
        body: {
          type: 'object',
          description: 'Optional; mail clients send `List-Unsubscribe=One-Click`.',
          properties: { 'List-Unsubscribe': { type: 'string', enum: ['One-Click'] } },
        },
        response: {
          200: {
            description: 'Opted out (now or already).',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['status', 'channel'],
                  properties: { status: { type: 'string', enum: ['opted_out'] }, channel: { type: 'string' } },
                },
              },
              ...htmlContent,
            },
          },
          400: badLink,
        },
      },
      // Some mail clients post nothing at all: an absent body is an empty form.
      preValidation: (req, _reply, done) => {
        req.body ??= {};
        done();
      },
    },
    async (req, reply) => {
      const target = await resolve(req);
      if (!target) return refuse(req, reply);
      // Only a change of state signals: a second request (or the staff route's earlier opt-out) is a no-op.
      const { changed, outboxIds } = await db.transaction((tx) =>
        recordChannelStatus(tx, outbox.taskQueue, {
          debtorIds: [target.debtorId],
          channel: target.channel,
          status: 'opted_out',
          reason: 'debtor used the opt-out link',
        }),
      );
      await outbox.dispatchNow(outboxIds).catch(() => undefined);
      req.log.info({ accountId: target.accountId, channel: target.channel, changed }, 'opt-out link used');
      if (wantsHtml(req)) {
        const lang = langOf(target.locale, req);
        return send(reply, 200, page(lang, texts[lang].doneTitle, `<p>${escapeHtml(texts[lang].done)}</p>`));
      }
      return reply.header('cache-control', 'no-store').send({ status: 'opted_out', channel: target.channel });
    },
  );
  return Promise.resolve();
}
