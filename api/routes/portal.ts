// The debtor portal (/portal/<token>/…): server-rendered pages from the personal link every message
// carries. No key, no account: the signed link is the debtor's credential, and every form posts back a
// CSRF token bound to that link. Whatever the debtor does goes through the same shared operations as the
// API (lib/portal), so the workflow, the timeline and the ledger record it with `source: portal`.
import { createHmac, timingSafeEqual } from 'node:crypto';
import multipart from '@fastify/multipart';
import { ServiceError } from '@temporalio/client';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DateTime } from 'luxon';
import type { AgreementResult } from '../../workflows/account.messages';
import {
  loadLiveAccount,
  loadPortalAccount,
  loadPortalAccounts,
  loadDebtorByLink,
  planFromPortal,
  planOffer,
  planOffers,
  promiseFromPortal,
  type LiveAccount,
  type PortalAccountRow,
  type PortalDebtor,
} from '../../lib/portal/account';
import { checkoutIdempotencyKey, type PortalPayments } from '../../lib/portal/checkout';
import { verifyPortalToken } from '../../lib/portal/links';
import {
  askForAgentFromPortal,
  ATTACHMENT_MAX_BYTES,
  openDisputeFromPortal,
  optOutFromPortal,
  sniffAttachmentType,
  type AttachmentType,
} from '../../lib/portal/requests';
import { transferReferenceFor } from '../../lib/payments/transfer-reference';
import { isDatabaseUnavailable } from '../../db/client';
import { localDate } from '../../strategies/core/calendar';
import { currencyDigits, parseMinor } from '../../strategies/core/money';
import type { AppDeps } from '../app';
import { ProblemError } from '../problem';
import { fill as fillText, langOf, LANGS, TEXTS, type Lang, type TextKey } from '../portal/i18n';
import { date, decimal, escapeHtml, hidden, invoiceTable, layout, money, notice, t } from '../portal/views';

export interface PortalOptions {
  /** The payment providers (lib/payments); null or none configured: the transfer reference only. */
  payments: PortalPayments | null;
}

type TokenParams = { token: string };
type AccountParams = { token: string; accountId: string };
type Form = Record<string, string | undefined>;

interface Visit {
  token: string;
  linkId: string;
  expiresAt: number;
  debtor: PortalDebtor;
  lang: Lang;
}

const LANG_COOKIE = 'portal_lang';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const FORM_LIMIT = 16 * 1024;
const CHANNELS = ['email', 'whatsapp'] as const;

/** Page-level answers (HTML) instead of the API's problem+json. */
class PortalPageError extends Error {
  constructor(
    readonly status: number,
    readonly key: 'invalid' | 'formExpired' | 'tooMany' | 'error',
  ) {
    super(key);
  }
}

const hiddenRoute = { hide: true } as const;

function langFrom(req: FastifyRequest, debtorLocale: string | null): Lang {
  const asked = (req.query as { lang?: unknown } | undefined)?.lang;
  if (typeof asked === 'string' && (LANGS as readonly string[]).includes(asked)) return asked as Lang;
  const kept = req.cookies[LANG_COOKIE];
  if (kept && (LANGS as readonly string[]).includes(kept)) return kept as Lang;
  if (debtorLocale) return langOf(debtorLocale);
  const accept = (req.headers['accept-language'] ?? '').toLowerCase();
  return accept.startsWith('en') ? 'en' : 'es';
}

/** Decimal input as people type it: "1500", "1500.5", "1 500,50" (a comma is the decimal separator when no point). */
function parseInputAmount(text: string | undefined, currency: string): number | null {
  if (!text) return null;
  let s = text.trim().replace(/[\s$]/g, '');
  if (s.includes(',') && !s.includes('.')) s = s.replace(',', '.');
  else s = s.replace(/,/g, '');
  if (!/^\d{1,13}(\.\d+)?$/.test(s)) return null;
  const minor = parseMinor(s, currencyDigits(currency));
  return minor !== null && minor > 0 ? minor : null;
}

export async function portalRoutes(app: FastifyInstance, deps: AppDeps, opts: PortalOptions): Promise<void> {
  const { db, temporal, outbox } = deps;
  const secret = deps.links.secret;
  const payments = opts.payments;

  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: FORM_LIMIT },
    (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );
  await app.register(multipart, {
    limits: { fileSize: ATTACHMENT_MAX_BYTES, files: 1, fields: 10, fieldSize: 4096, parts: 12 },
    throwFileSizeLimit: true,
  });

  // Per IP, then per link: one link (one debtor) cannot flood the workflows, nor one address try tokens.
  // Both count every request (the plugin's own route hook would stop at the first limiter).
  const ipLimit = app.createRateLimit({
    max: deps.config.portal.ratePerIpPerMinute,
    timeWindow: '1 minute',
    keyGenerator: (req) => `portal-ip:${req.ip}`,
  });
  const linkLimit = app.createRateLimit({
    max: deps.config.portal.ratePerLinkPerMinute,
    timeWindow: '1 minute',
    keyGenerator: (req) => `portal-link:${((req.params as { token?: string }).token ?? '').slice(0, 200)}`,
  });
  const over = async (limit: typeof ipLimit, req: FastifyRequest) => {
    const r = await limit(req);
    return !r.isAllowed && r.isExceeded;
  };
  const perIp = async (req: FastifyRequest) => {
    if (await over(ipLimit, req)) throw new PortalPageError(429, 'tooMany');
  };
  const perLink = async (req: FastifyRequest) => {
    if (await over(linkLimit, req)) throw new PortalPageError(429, 'tooMany');
  };

  const csrfFor = (linkId: string) =>
    createHmac('sha256', secret).update(`portal-csrf.v1.${linkId}`).digest('base64url');

  function send(reply: FastifyReply, status: number, html: string) {
    return reply
      .code(status)
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .type('text/html; charset=utf-8')
      .send(html);
  }

  function errorPage(req: FastifyRequest, reply: FastifyReply, status: number, key: TextKey, bodyKey: TextKey) {
    const lang = langFrom(req, null);
    return send(reply, status, layout(lang, TEXTS[lang][key], `<p>${t(lang, bodyKey)}</p>`));
  }

  // Pages, not problem+json: a bad link, a stale form, too many requests, a file too large, a server down.
  app.setErrorHandler((err: FastifyError | PortalPageError | ProblemError, req, reply) => {
    if (err instanceof PortalPageError) {
      if (err.key === 'invalid') return errorPage(req, reply, 404, 'invalidTitle', 'invalid');
      if (err.key === 'tooMany') {
        reply.header('retry-after', '60');
        return errorPage(req, reply, 429, 'tooManyTitle', 'tooMany');
      }
      if (err.key === 'formExpired') return errorPage(req, reply, 403, 'errorTitle', 'formExpired');
      return errorPage(req, reply, err.status, 'errorTitle', 'error');
    }
    const status = err instanceof ProblemError ? err.status : err.statusCode;
    if (status === 413 || (err as FastifyError).code === 'FST_REQ_FILE_TOO_LARGE')
      return errorPage(req, reply, 413, 'errorTitle', 'fileTooLarge');
    if (status === 429) {
      reply.header('retry-after', '60');
      return errorPage(req, reply, 429, 'tooManyTitle', 'tooMany');
    }
    if (status !== undefined && status >= 400 && status < 500) return errorPage(req, reply, 400, 'errorTitle', 'error');
    // PostgreSQL or Temporal not answering (a workflow query or Update): "try again in a few minutes".
    if (isDatabaseUnavailable(err) || err instanceof ServiceError || (err as Error).name === 'TimeoutError') {
      reply.header('retry-after', '2');
      return errorPage(req, reply, 503, 'errorTitle', 'error');
    }
    req.log.error({ err }, 'portal page failed');
    return errorPage(req, reply, 500, 'errorTitle', 'error');
  });

  /** The link's debtor, or the one invalid-link page whatever went wrong (forged, expired, revoked, unknown). */
  async function visit(req: FastifyRequest<{ Params: TokenParams }>, reply: FastifyReply): Promise<Visit> {
    const token = req.params.token;
    // The signature and expiry are checked without the database; the link id and its debtor in one query.
    const resolved = verifyPortalToken(token, secret);
    const debtor = resolved ? await loadDebtorByLink(db, resolved.linkId) : null;
    if (!resolved || !debtor) throw new PortalPageError(404, 'invalid');
    const lang = langFrom(req, debtor.locale);
    const asked = (req.query as { lang?: unknown } | undefined)?.lang;
    if (typeof asked === 'string' && asked === lang)
      reply.setCookie(LANG_COOKIE, lang, {
        path: '/portal',
        httpOnly: true,
        sameSite: 'lax',
        maxAge: 365 * 86_400,
        secure: deps.links.publicBaseUrl.startsWith('https:'),
      });
    return { token, linkId: resolved.linkId, expiresAt: resolved.expiresAt, debtor, lang };
  }

  function checkCsrf(v: Visit, given: string | undefined) {
    const expected = Buffer.from(csrfFor(v.linkId));
    const got = Buffer.from(given ?? '');
    if (got.length !== expected.length || !timingSafeEqual(got, expected))
      throw new PortalPageError(403, 'formExpired');
  }

  async function account(v: Visit, accountId: string): Promise<PortalAccountRow> {
    const found = UUID.test(accountId) ? await loadPortalAccount(db, v.debtor.id, accountId) : null;
    // Another debtor's account, or none: the same page as a bad link.
    if (!found) throw new PortalPageError(404, 'invalid');
    return found;
  }

  const base = () => deps.links.publicBaseUrl.replace(/\/+$/, '');
  const accountPath = (v: Visit, a: { id: string }) => `/portal/${v.token}/a/${a.id}`;
  const today = (v: Visit) => localDate(Date.now(), v.debtor.timezone ?? 'UTC');

  function page(reply: FastifyReply, v: Visit, title: string, body: string, here = '', status = 200) {
    const footer = `<p class="muted"><small>${t(v.lang, 'linkExpires', { date: date(v.lang, new Date(v.expiresAt).toISOString().slice(0, 10)) })}</small></p>`;
    return send(reply, status, layout(v.lang, title, body + footer, { token: v.token, here }));
  }

  function reasonText(lang: Lang, result: Extract<AgreementResult, { status: 'rejected' }>, currency: string): string {
    const key = `reason_${result.reason}` as TextKey;
    const minimum = result.minimum
      ? money(lang, parseMinor(result.minimum, currencyDigits(currency)) ?? 0, currency)
      : '';
    return fillText(TEXTS[lang][key in TEXTS[lang] ? key : 'reason_other'], { minimum });
  }

  // ---------------------------------------------------------------- overview
  const accountCard = (v: Visit, a: PortalAccountRow) => {
    const { lang } = v;
    const closed = a.closedAt !== null;
    return (
      `<section aria-labelledby="acc-${a.id}"><h2 id="acc-${a.id}">${t(lang, 'account', { currency: a.currency })}</h2>` +
      (closed
        ? `<p><strong>${t(lang, a.status === 'paid' ? 'status_paid' : 'status_closed')}</strong></p>`
        : `<p>${t(lang, 'balance')}: <span class="big">${escapeHtml(money(lang, a.balanceMinor, a.currency))}</span>` +
          (a.daysPastDue && a.daysPastDue > 0
            ? ` <span class="muted">(${t(lang, 'daysPastDue', { days: a.daysPastDue })})</span>`
            : '') +
          '</p>' +
          invoiceTable(lang, a.currency, a.invoices) +
          `<p><a class="btn" href="${escapeHtml(accountPath(v, a))}">${t(lang, 'manage')}</a></p>`) +
      '</section>'
    );
  };

  function contactSections(v: Visit, accounts: PortalAccountRow[]): string {
    const { lang } = v;
    const csrf = hidden('csrf', csrfFor(v.linkId));
    const open = accounts.find((a) => a.closedAt === null);
    const channels = CHANNELS.filter((c) => (c === 'email' ? v.debtor.hasEmail : v.debtor.hasPhone));
    const agent = open
      ? `<section aria-labelledby="contact"><h2 id="contact">${t(lang, 'contactTitle')}</h2>` +
        `<form method="post" action="/portal/${escapeHtml(v.token)}/agent">${csrf}${hidden('accountId', open.id)}` +
        `<button type="submit">${t(lang, 'agentButton')}</button></form></section>`
      : '';
    const optOut =
      channels.length > 0
        ? `<section aria-labelledby="optout"><h2 id="optout">${t(lang, 'optOutTitle')}</h2>` +
          `<form method="post" action="/portal/${escapeHtml(v.token)}/opt-out">${csrf}` +
          `<label for="channel">${t(lang, 'optOutChannel')}</label><select id="channel" name="channel">` +
          channels.map((c) => `<option value="${c}">${t(lang, `channel_${c}`)}</option>`).join('') +
          `</select><button type="submit">${t(lang, 'optOutButton')}</button></form></section>`
        : '';
    return agent + optOut;
  }

  app.get<{ Params: TokenParams }>(
    '/portal/:token',
    { schema: hiddenRoute, onRequest: [perIp, perLink] },
    async (req, reply) => {
      const v = await visit(req, reply);
      const accounts = await loadPortalAccounts(db, v.debtor.id);
      const open = accounts.filter((a) => a.closedAt === null);
      const settled = accounts.filter((a) => a.closedAt !== null);
      const body =
        `<p>${t(v.lang, 'intro')}</p>` +
        (open.length === 0 ? `<p>${t(v.lang, 'noAccounts')}</p>` : open.map((a) => accountCard(v, a)).join('')) +
        (settled.length > 0
          ? `<h2>${t(v.lang, 'settled')}</h2>${settled.map((a) => accountCard(v, a)).join('')}`
          : '') +
        contactSections(v, accounts);
      return page(reply, v, TEXTS[v.lang].overviewTitle, body);
    },
  );

  // ---------------------------------------------------------------- one account
  function paySection(v: Visit, a: PortalAccountRow, live: LiveAccount, transfer: string): string {
    const { lang } = v;
    const providers = payments?.forAccount(a.currency, v.debtor.country) ?? [];
    const csrf = hidden('csrf', csrfFor(v.linkId));
    const online =
      providers.length === 0
        ? `<p>${t(lang, 'noProviders')}</p>`
        : `<form method="post" action="${escapeHtml(accountPath(v, a))}/pay">${csrf}` +
          `<p>${t(lang, 'payHint', { balance: money(lang, live.balanceMinor, a.currency) })}</p>` +
          `<label for="pay-amount">${t(lang, 'payAmount', { currency: a.currency })}</label>` +
          `<input id="pay-amount" name="amount" inputmode="decimal" required value="${decimal(live.balanceMinor, a.currency)}">` +
          `<fieldset><legend>${t(lang, 'provider')}</legend>` +
          providers
            .map(
              (p, i) =>
                `<label><input type="radio" name="provider" value="${escapeHtml(p)}"${i === 0 ? ' checked' : ''} style="width:auto"> ` +
                `${escapeHtml(`provider_${p}` in TEXTS[lang] ? TEXTS[lang][`provider_${p}` as TextKey] : p)}</label>`,
            )
            .join('') +
          `</fieldset><button type="submit">${t(lang, 'payButton')}</button></form>`;
    return `<section aria-labelledby="pay"><h2 id="pay">${t(lang, 'payTitle')}</h2>${online}${transfer}</section>`;
  }

  async function transferSection(v: Visit, a: PortalAccountRow): Promise<string> {
    const { lang } = v;
    const bank = deps.config.reconcile;
    const ref = await transferReferenceFor(db, v.debtor.id, a.currency, {
      ...(bank.clabe ? { clabe: bank.clabe } : {}),
      ...(bank.bankName ? { bankName: bank.bankName } : {}),
    });
    return (
      `<h3>${t(lang, 'transferTitle')}</h3><p>${t(lang, 'transferIntro')}</p><dl>` +
      `<dt>${t(lang, 'transferReference')}</dt><dd class="big" data-testid="transfer-reference">${escapeHtml(ref.reference)}</dd>` +
      (ref.clabe ? `<dt>${t(lang, 'clabe')}</dt><dd>${escapeHtml(ref.clabe)}</dd>` : '') +
      (ref.bankName ? `<dt>${t(lang, 'bank')}</dt><dd>${escapeHtml(ref.bankName)}</dd>` : '') +
      `</dl><p class="muted"><small>${t(lang, 'transferNote')}</small></p>`
    );
  }

  function promiseSection(v: Visit, a: PortalAccountRow, live: LiveAccount): string {
    const { lang } = v;
    const s = live.state;
    if (s.promise)
      return `<section aria-labelledby="promise"><h2 id="promise">${t(lang, 'promiseTitle')}</h2><p>${t(
        lang,
        'promiseActive',
        {
          amount: money(lang, s.promise.amountMinor, a.currency),
          date: date(lang, s.promise.dueDate),
        },
      )}</p></section>`;
    if (s.plan) return '';
    return (
      `<section aria-labelledby="promise"><h2 id="promise">${t(lang, 'promiseTitle')}</h2>` +
      `<p id="promise-limits">${t(lang, 'promiseLimits', {
        maxDate: date(lang, live.promise.maxDate),
        minimum: money(lang, live.promise.minimumMinor, a.currency),
        percent: live.promise.minPercent,
      })}</p>` +
      `<form method="post" action="${escapeHtml(accountPath(v, a))}/promise">${hidden('csrf', csrfFor(v.linkId))}` +
      `<label for="promise-date">${t(lang, 'promiseDate')}</label>` +
      `<input id="promise-date" name="dueDate" type="date" required min="${live.today}" max="${live.promise.maxDate}" aria-describedby="promise-limits">` +
      `<label for="promise-amount">${t(lang, 'promiseAmount', { currency: a.currency })}</label>` +
      `<input id="promise-amount" name="amount" inputmode="decimal" required value="${decimal(live.balanceMinor, a.currency)}" aria-describedby="promise-limits">` +
      `<button type="submit">${t(lang, 'promiseButton')}</button></form></section>`
    );
  }

  function planSection(v: Visit, a: PortalAccountRow, live: LiveAccount, firstDate: string): string {
    const { lang } = v;
    const s = live.state;
    const head = `<section aria-labelledby="plan"><h2 id="plan">${t(lang, 'planTitle')}</h2>`;
    if (s.plan)
      return `${head}<p>${t(lang, 'planActive', { count: s.plan.installments.length, total: money(lang, s.plan.totalMinor, a.currency) })}</p></section>`;
    if (s.promise) return '';
    const offers = planOffers(live, firstDate);
    if (offers.length === 0) return `${head}<p>${t(lang, 'planNone')}</p></section>`;
    const csrf = hidden('csrf', csrfFor(v.linkId));
    return (
      head +
      `<p>${t(lang, 'planLimits', {
        max: live.plan.maxInstallments,
        down: live.plan.minDownPaymentPercent,
        maxDate: date(lang, live.promise.maxDate),
        interest: live.plan.monthlyInterestPercent,
      })}</p>` +
      `<form method="get" action="${escapeHtml(accountPath(v, a))}#plan"><label for="plan-first">${t(lang, 'planFirstDate')}</label>` +
      `<input id="plan-first" name="first" type="date" required min="${live.today}" max="${live.promise.maxDate}" value="${firstDate}">` +
      `<button type="submit">${t(lang, 'planShow')}</button></form>` +
      offers
        .map(
          (o) =>
            `<form method="post" action="${escapeHtml(accountPath(v, a))}/plan">${csrf}${hidden('count', String(o.count))}${hidden('first', firstDate)}` +
            `<p>${t(lang, 'planOffer', {
              count: o.count,
              first: money(lang, o.installments[0]?.amountMinor ?? 0, a.currency),
              each: money(lang, o.installments[1]?.amountMinor ?? 0, a.currency),
              interest: money(lang, o.interestMinor, a.currency),
              total: money(lang, o.totalMinor, a.currency),
            })}</p><button type="submit">${t(lang, 'planButton')} (${o.count})</button></form>`,
        )
        .join('') +
      '</section>'
    );
  }

  function disputeSection(v: Visit, a: PortalAccountRow, live: LiveAccount): string {
    const { lang } = v;
    const head = `<section aria-labelledby="dispute"><h2 id="dispute">${t(lang, 'disputeTitle')}</h2>`;
    if (live.state.dispute) return `${head}<p>${t(lang, 'disputeActive')}</p></section>`;
    return (
      head +
      `<p>${t(lang, 'disputeIntro')}</p>` +
      `<form method="post" enctype="multipart/form-data" action="${escapeHtml(accountPath(v, a))}/dispute">${hidden('csrf', csrfFor(v.linkId))}` +
      `<label for="dispute-invoice">${t(lang, 'disputeInvoice')}</label><select id="dispute-invoice" name="invoice">` +
      `<option value="">${t(lang, 'disputeAllInvoices')}</option>` +
      a.invoices
        .map((i) => `<option value="${escapeHtml(i.externalId)}">${escapeHtml(i.externalId)}</option>`)
        .join('') +
      `</select><label for="dispute-reason">${t(lang, 'disputeReason')}</label>` +
      '<textarea id="dispute-reason" name="reason" required maxlength="1000" rows="3"></textarea>' +
      `<label for="dispute-file">${t(lang, 'disputeFile')}</label>` +
      '<input id="dispute-file" name="file" type="file" accept="application/pdf,image/jpeg,image/png">' +
      `<button type="submit">${t(lang, 'disputeButton')}</button></form></section>`
    );
  }

  async function accountPage(
    reply: FastifyReply,
    v: Visit,
    a: PortalAccountRow,
    opts: { message?: string; firstDate?: string; status?: number } = {},
  ) {
    const { lang } = v;
    const live = a.closedAt === null ? await loadLiveAccount(temporal, a.workflowId) : null;
    const here = `/a/${a.id}`;
    const title = TEXTS[lang].account.replace('{currency}', a.currency);
    const back = `<p><a href="/portal/${escapeHtml(v.token)}">← ${t(lang, 'back')}</a></p>`;
    if (!live || live.state.closed !== null) {
      const status = live?.state.closed ?? a.status;
      return page(
        reply,
        v,
        title,
        (opts.message ?? '') +
          `<p><strong>${t(lang, status === 'paid' ? 'status_paid' : 'status_closed')}</strong></p>${back}`,
        here,
        opts.status,
      );
    }
    const firstDate =
      opts.firstDate &&
      DATE.test(opts.firstDate) &&
      opts.firstDate >= live.today &&
      opts.firstDate <= live.promise.maxDate
        ? opts.firstDate
        : live.today;
    const invoicesOpen = live.state.invoices
      .filter((i) => i.openMinor > 0 && i.kind !== 'interest')
      .map((i) => ({
        externalId: i.externalId,
        dueDate: i.dueDate,
        amountMinor: i.amountMinor,
        openMinor: i.openMinor,
      }));
    const body =
      (opts.message ?? '') +
      `<p>${t(lang, 'balance')}: <span class="big" data-testid="balance">${escapeHtml(money(lang, live.balanceMinor, a.currency))}</span></p>` +
      invoiceTable(lang, a.currency, invoicesOpen) +
      paySection(v, a, live, await transferSection(v, a)) +
      promiseSection(v, a, live) +
      planSection(v, a, live, firstDate) +
      disputeSection(v, a, live) +
      back;
    return page(reply, v, title, body, here, opts.status);
  }

  app.get<{ Params: AccountParams; Querystring: { first?: string } }>(
    '/portal/:token/a/:accountId',
    { schema: hiddenRoute, onRequest: [perIp, perLink] },
    async (req, reply) => {
      const v = await visit(req, reply);
      const a = await account(v, req.params.accountId);
      const first = typeof req.query.first === 'string' ? req.query.first : undefined;
      return accountPage(reply, v, a, first ? { firstDate: first } : {});
    },
  );

  const formRoute = {
    schema: { hide: true, consumes: ['application/x-www-form-urlencoded'] },
    onRequest: [perIp, perLink],
    bodyLimit: FORM_LIMIT,
  };
  const formOf = (req: FastifyRequest): Form =>
    req.body && typeof req.body === 'object' && !Buffer.isBuffer(req.body) ? (req.body as Form) : {};

  // ---------------------------------------------------------------- pay
  app.post<{ Params: AccountParams }>('/portal/:token/a/:accountId/pay', formRoute, async (req, reply) => {
    const v = await visit(req, reply);
    const form = formOf(req);
    checkCsrf(v, form.csrf);
    const a = await account(v, req.params.accountId);
    const live = a.closedAt === null ? await loadLiveAccount(temporal, a.workflowId) : null;
    if (!live || live.state.closed !== null) return accountPage(reply, v, a);
    const providers = payments?.forAccount(a.currency, v.debtor.country) ?? [];
    const provider = providers.find((p) => p === form.provider) ?? null;
    const amountMinor = parseInputAmount(form.amount, a.currency);
    if (!payments || !provider || amountMinor === null || amountMinor > live.balanceMinor)
      return accountPage(reply, v, a, { message: notice('bad', t(v.lang, 'amountInvalid')), status: 422 });
    const checkout = await payments.createCheckout(provider, {
      accountId: a.id,
      debtorId: v.debtor.id,
      amountMinor,
      currency: a.currency,
      description: TEXTS[v.lang].account.replace('{currency}', a.currency),
      successUrl: `${base()}/portal/${v.token}/paid`,
      cancelUrl: `${base()}${accountPath(v, a)}`,
      idempotencyKey: checkoutIdempotencyKey(a.id, provider, amountMinor, live.balanceMinor),
      locale: v.lang,
    });
    req.log.info({ accountId: a.id, provider, providerRef: checkout.providerRef }, 'portal checkout created');
    // A page that moves on at once (meta refresh) rather than a redirect: the CSP's form-action 'self'
    // would stop a form's redirect to the provider, and the link stays for a browser that does not refresh.
    const url = escapeHtml(checkout.url);
    const html = layout(
      v.lang,
      TEXTS[v.lang].payTitle,
      `<p><a class="btn" data-testid="checkout" href="${url}">${t(v.lang, 'payButton')}</a></p>`,
      { token: v.token, here: `/a/${a.id}` },
    ).replace('<meta charset="utf-8">', `<meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${url}">`);
    return send(reply, 200, html);
  });

  app.get<{ Params: TokenParams }>(
    '/portal/:token/paid',
    { schema: hiddenRoute, onRequest: [perIp, perLink] },
    async (req, reply) => {
      const v = await visit(req, reply);
      return page(
        reply,
        v,
        TEXTS[v.lang].paidTitle,
        `${notice('ok', t(v.lang, 'paid'))}<p><a href="/portal/${escapeHtml(v.token)}">${t(v.lang, 'back')}</a></p>`,
        '/paid',
      );
    },
  );

  // ---------------------------------------------------------------- promise
  app.post<{ Params: AccountParams }>('/portal/:token/a/:accountId/promise', formRoute, async (req, reply) => {
    const v = await visit(req, reply);
    const form = formOf(req);
    checkCsrf(v, form.csrf);
    const a = await account(v, req.params.accountId);
    const amountMinor = parseInputAmount(form.amount, a.currency);
    const dueDate = form.dueDate ?? '';
    if (amountMinor === null)
      return accountPage(reply, v, a, { message: notice('bad', t(v.lang, 'amountInvalid')), status: 422 });
    if (!DATE.test(dueDate) || !DateTime.fromISO(dueDate).isValid)
      return accountPage(reply, v, a, { message: notice('bad', t(v.lang, 'dateInvalid')), status: 422 });
    const result = await promiseFromPortal(temporal, a.workflowId, { amountMinor, dueDate });
    const message =
      result.status === 'active'
        ? notice(
            'ok',
            t(v.lang, 'promiseAccepted', {
              amount: money(v.lang, amountMinor, a.currency),
              date: date(v.lang, dueDate),
            }),
          )
        : notice('bad', t(v.lang, 'refused', { reason: reasonText(v.lang, result, a.currency) }));
    return accountPage(reply, v, a, { message, status: result.status === 'active' ? 200 : 422 });
  });

  // ---------------------------------------------------------------- plan
  app.post<{ Params: AccountParams }>('/portal/:token/a/:accountId/plan', formRoute, async (req, reply) => {
    const v = await visit(req, reply);
    const form = formOf(req);
    checkCsrf(v, form.csrf);
    const a = await account(v, req.params.accountId);
    const live = a.closedAt === null ? await loadLiveAccount(temporal, a.workflowId) : null;
    if (!live || live.state.closed !== null) return accountPage(reply, v, a);
    const first = form.first ?? '';
    // The offer is computed again here from the count and first date: no amount comes from the browser.
    const offer = DATE.test(first) ? planOffer(live, Number(form.count), first) : null;
    if (!offer) return accountPage(reply, v, a, { message: notice('bad', t(v.lang, 'dateInvalid')), status: 422 });
    const result = await planFromPortal(temporal, a.workflowId, offer.installments);
    const message =
      result.status === 'active'
        ? notice(
            'ok',
            t(v.lang, 'planAccepted', {
              count: offer.count,
              first: money(v.lang, offer.installments[0]?.amountMinor ?? 0, a.currency),
              date: date(v.lang, first),
            }),
          )
        : notice('bad', t(v.lang, 'refused', { reason: reasonText(v.lang, result, a.currency) }));
    return accountPage(reply, v, a, { message, status: result.status === 'active' ? 200 : 422 });
  });

  // ---------------------------------------------------------------- dispute (multipart, optional file)
  app.post<{ Params: AccountParams }>(
    '/portal/:token/a/:accountId/dispute',
    {
      schema: { hide: true, consumes: ['multipart/form-data'] },
      onRequest: [perIp, perLink],
      bodyLimit: ATTACHMENT_MAX_BYTES + 64 * 1024,
    },
    async (req, reply) => {
      const v = await visit(req, reply);
      if (!req.isMultipart()) throw new PortalPageError(400, 'error');
      const fields: Form = {};
      let file: Buffer | null = null;
      for await (const part of req.parts()) {
        if (part.type === 'file') {
          const content = await part.toBuffer();
          if (part.fieldname === 'file' && content.length > 0) file = content;
        } else if (typeof part.value === 'string') fields[part.fieldname] = part.value;
      }
      checkCsrf(v, fields.csrf);
      const a = await account(v, req.params.accountId);
      const reason = (fields.reason ?? '').trim();
      if (reason.length === 0 || reason.length > 1000)
        return accountPage(reply, v, a, { message: notice('bad', t(v.lang, 'reasonMissing')), status: 422 });
      const invoice = fields.invoice ? a.invoices.find((i) => i.externalId === fields.invoice) : undefined;
      let attachment: { content: Buffer; contentType: AttachmentType } | undefined;
      if (file) {
        const contentType = sniffAttachmentType(file);
        if (!contentType)
          return accountPage(reply, v, a, { message: notice('bad', t(v.lang, 'fileBadType')), status: 422 });
        attachment = { content: file, contentType };
      }
      if (a.closedAt !== null) return accountPage(reply, v, a);
      await openDisputeFromPortal(db, outbox, {
        accountId: a.id,
        workflowId: a.workflowId,
        reason,
        ...(invoice ? { invoiceExternalId: invoice.externalId } : {}),
        ...(attachment ? { attachment } : {}),
      });
      return page(
        reply,
        v,
        TEXTS[v.lang].disputeTitle,
        `${notice('ok', t(v.lang, 'disputeOpened'))}<p><a href="/portal/${escapeHtml(v.token)}">${t(v.lang, 'back')}</a></p>`,
        `/a/${a.id}`,
      );
    },
  );

  // ---------------------------------------------------------------- opt-out, agent
  app.post<{ Params: TokenParams }>('/portal/:token/opt-out', formRoute, async (req, reply) => {
    const v = await visit(req, reply);
    const form = formOf(req);
    checkCsrf(v, form.csrf);
    const channel = CHANNELS.find((c) => c === form.channel);
    if (!channel) throw new PortalPageError(400, 'error');
    await optOutFromPortal(db, outbox, v.debtor.id, channel);
    return page(
      reply,
      v,
      TEXTS[v.lang].optOutTitle,
      `${notice('ok', t(v.lang, 'optedOut', { channel: TEXTS[v.lang][`channel_${channel}`] }))}<p><a href="/portal/${escapeHtml(v.token)}">${t(v.lang, 'back')}</a></p>`,
    );
  });

  app.post<{ Params: TokenParams }>('/portal/:token/agent', formRoute, async (req, reply) => {
    const v = await visit(req, reply);
    const form = formOf(req);
    checkCsrf(v, form.csrf);
    const a = await account(v, form.accountId ?? '');
    await askForAgentFromPortal(db, a.id, today(v));
    return page(
      reply,
      v,
      TEXTS[v.lang].contactTitle,
      `${notice('ok', t(v.lang, 'agentAsked'))}<p><a href="/portal/${escapeHtml(v.token)}">${t(v.lang, 'back')}</a></p>`,
    );
  });

  // Anything else under /portal: the same page as a bad link (no hint whether a token or a path was wrong).
  app.get('/portal/*', { schema: hiddenRoute, onRequest: [perIp] }, () => {
    throw new PortalPageError(404, 'invalid');
  });
}
