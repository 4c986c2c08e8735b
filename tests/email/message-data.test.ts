// What a message template can say: the built-in library's variables (debtor, balance, due date, days past due,
// invoice number, payment link, creditor) filled from the account's facts, in the message's language. Before,
// only the name, balance and links were filled and the library's reminders went out with blanks.
import { describe, expect, it } from 'vitest';
import { renderEmail } from '../../activities/message-content';
import { messageTemplateData } from '../../strategies/templates';

const portal = 'https://cobranza.example/portal/p1.abc';
const facts = {
  debtorName: 'Ana Pérez',
  balance: '1500.00',
  currency: 'MXN',
  portalUrl: portal,
  creditorName: 'Distribuidora del Norte',
  oldestOpen: { externalId: 'FAC-0042', dueDate: '2026-11-20' },
  today: '2026-12-07',
};

describe('message template data', () => {
  it('fills every library variable, dates in the message language', () => {
    expect(messageTemplateData({ ...facts, locale: 'es-MX' })).toEqual({
      debtor: { name: 'Ana Pérez' },
      balance: '$1,500.00',
      portalUrl: portal,
      paymentLink: portal,
      creditor: { name: 'Distribuidora del Norte' },
      invoice: { externalId: 'FAC-0042' },
      dueDate: '20 de noviembre de 2026',
      daysPastDue: 17,
    });
    expect(messageTemplateData({ ...facts, locale: 'en-US' })).toMatchObject({
      dueDate: 'November 20, 2026',
      daysPastDue: 17,
    });
  });

  it('counts no days past due before the due date, and leaves unknown facts unset', () => {
    expect(messageTemplateData({ ...facts, locale: 'es', today: '2026-11-01' }).daysPastDue).toBe(0);
    const bare = messageTemplateData({ debtorName: 'Ana', balance: '10.00', currency: 'MXN', locale: 'es' });
    expect(Object.keys(bare).sort()).toEqual(['balance', 'debtor']);
  });

  it('renders the library reminders with nothing left blank', async () => {
    const cases = [
      ['upcoming', 'es-MX', 'vence el 20 de noviembre de 2026. Distribuidora del Norte.'],
      ['overdue', 'es-MX', `tiene 17 días de atraso. Paga o propón una fecha: ${portal}`],
      ['overdue', 'en-US', `17 days past due. Pay or promise a date: ${portal}`],
      ['prelegal-notice', 'es-MX', '17 días de atraso. Comuníquese con Distribuidora del Norte para regularizarlo.'],
      ['invoice-reminder', 'en-US', 'invoice FAC-0042 for MX$1,500.00 is due on November 20, 2026.'],
    ] as const;
    for (const [template, locale, expected] of cases) {
      const email = await renderEmail({
        strategy: { templates: {} },
        template,
        locale,
        debtorName: facts.debtorName,
        balanceMinor: 150000,
        currency: 'MXN',
        portalUrl: portal,
        creditorName: facts.creditorName,
        oldestOpen: facts.oldestOpen,
        today: facts.today,
      });
      expect(email.text, template).toContain(expected);
    }
  });
});
