// Reading debtors' replies in Spanish and English, and what we answer them.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findDate, localToday, menuText, parseReply, replyFor } from '../../activities/whatsapp/inbound-menu';

const TODAY = '2026-11-20';

describe('menuText', () => {
  it('offers the four options and the opt-out word in each language', () => {
    expect(menuText('es-MX')).toMatch(
      /1\. Pagar[\s\S]*2\. Prometer[\s\S]*3\. Presentar un reclamo[\s\S]*4\. Hablar con un asesor[\s\S]*BAJA/,
    );
    expect(menuText('en')).toMatch(
      /1\. Pay now[\s\S]*2\. Promise[\s\S]*3\. Dispute[\s\S]*4\. Talk to an agent[\s\S]*STOP/,
    );
    expect(menuText('pt-BR')).toBe(menuText('es'));
  });
});

describe('parseReply', () => {
  const cases: [string, string, ReturnType<typeof parseReply>][] = [
    ['1', 'es', { intent: 'pay' }],
    ['1.', 'es', { intent: 'pay' }],
    ['Opción 1', 'es', { intent: 'pay' }],
    ['pagar', 'es', { intent: 'pay' }],
    ['Quiero pagar', 'es', { intent: 'pay' }],
    ['send me the payment link', 'en', { intent: 'pay' }],
    ['2 15/12', 'es', { intent: 'promise', date: '2026-12-15' }],
    ['prometo pagar el 15/12', 'es', { intent: 'promise', date: '2026-12-15' }],
    ['Prometo pagar el 15/12/2026', 'es', { intent: 'promise', date: '2026-12-15' }],
    ['promesa 2026-12-15', 'es', { intent: 'promise', date: '2026-12-15' }],
    ['promesa 15-12-26', 'es', { intent: 'promise', date: '2026-12-15' }],
    ['pago el 5/1', 'es', { intent: 'promise', date: '2027-01-05' }],
    ['Pagaré el 30 de noviembre', 'es', { intent: 'promise', date: '2026-11-30' }],
    ['voy a pagar mañana', 'es', { intent: 'promise', date: '2026-11-21' }],
    ['puedo pagar el 25', 'es', { intent: 'promise', date: '2026-11-25' }],
    ['puedo pagar el 3', 'es', { intent: 'promise', date: '2026-12-03' }],
    ['I will pay on December 1st', 'en', { intent: 'promise', date: '2026-12-01' }],
    ["I'll pay on 1 dec 2026", 'en', { intent: 'promise', date: '2026-12-01' }],
    ['promise today', 'en', { intent: 'promise', date: '2026-11-20' }],
    ['15/12', 'es', { intent: 'promise', date: '2026-12-15' }],
    ['2', 'es', { intent: 'promise' }],
    ['prometo pagar el 31/02', 'es', { intent: 'promise' }],
    ['3 no reconozco la factura', 'es', { intent: 'dispute', reason: 'no reconozco la factura' }],
    ['Reclamo: me cobraron dos veces', 'es', { intent: 'dispute', reason: 'me cobraron dos veces' }],
    ['no reconozco esta deuda', 'es', { intent: 'dispute', reason: 'no reconozco esta deuda' }],
    ['dispute this is not mine', 'en', { intent: 'dispute', reason: 'this is not mine' }],
    ['3', 'en', { intent: 'dispute' }],
    ['4', 'es', { intent: 'agent' }],
    ['quiero hablar con un asesor', 'es', { intent: 'agent' }],
    ['no puedo pagar, llámenme', 'es', { intent: 'agent' }],
    ['Can a human call me?', 'en', { intent: 'agent' }],
    ['no puedo pagar', 'es', { intent: 'agent' }],
    ["I can't pay this month", 'en', { intent: 'agent' }],
    ['STOP', 'en', { intent: 'stop' }],
    ['stop.', 'en', { intent: 'stop' }],
    ['BAJA', 'es', { intent: 'stop' }],
    ['Darme de baja', 'es', { intent: 'stop' }],
    ['no más mensajes!', 'es', { intent: 'stop' }],
    ['Unsubscribe', 'en', { intent: 'stop' }],
    ['hola', 'es', { intent: 'menu' }],
    ['menú', 'es', { intent: 'menu' }],
    ['0', 'es', { intent: 'menu' }],
    ['9', 'es', { intent: 'menu' }],
    ['¿qué es esto?', 'es', { intent: 'menu' }],
    ['', 'es', { intent: 'menu' }],
  ];
  it.each(cases)('%j (%s)', (text, locale, expected) => {
    expect(parseReply(text, locale, TODAY)).toEqual(expected);
  });

  it('understands either language whatever the debtor locale says', () => {
    expect(parseReply('pagar', 'en', TODAY)).toEqual({ intent: 'pay' });
    expect(parseReply('talk to an agent', 'es', TODAY)).toEqual({ intent: 'agent' });
  });

  it('never throws and always names a known intent, and a date it gives is real and not before today (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        const r = parseReply(text, 'es', TODAY);
        expect(['pay', 'promise', 'dispute', 'agent', 'menu', 'stop']).toContain(r.intent);
        if (r.date !== undefined && !/\d{4}-/.test(text)) expect(r.date >= TODAY).toBe(true);
      }),
    );
  });
});

describe('dates', () => {
  it('rolls a day/month already past into next year, and checks the calendar', () => {
    expect(findDate('el 10/11', TODAY)).toBe('2027-11-10');
    expect(findDate('el 20/11', TODAY)).toBe('2026-11-20');
    expect(findDate('29/2', '2027-03-01')).toBe('2028-02-29');
    expect(findDate('31/4', TODAY)).toBeUndefined();
    expect(findDate('pasado manana', TODAY)).toBe('2026-11-22');
  });

  it("takes today in the debtor's time zone", () => {
    const instant = new Date('2026-03-02T04:30:00Z');
    expect(localToday(instant, 'America/Mexico_City')).toBe('2026-03-01');
    expect(localToday(instant, 'Europe/Madrid')).toBe('2026-03-02');
    expect(() => localToday(instant, 'Nowhere/City')).toThrow(/time zone/);
  });
});

describe('replyFor', () => {
  it('answers in the debtor language', () => {
    expect(replyFor({ kind: 'promise_accepted', date: '2026-12-15' }, 'es-MX')).toBe(
      '¡Gracias! Registramos tu promesa de pago para el 15 de diciembre de 2026.',
    );
    expect(replyFor({ kind: 'promise_accepted', date: '2026-12-15' }, 'en')).toBe(
      'Thank you! We recorded your promise to pay on December 15, 2026.',
    );
    expect(replyFor({ kind: 'payment_link', url: 'https://pay.example/x' }, 'es')).toContain('https://pay.example/x');
    expect(replyFor({ kind: 'dispute_opened' }, 'es')).toMatch(/reclamo/);
    expect(replyFor({ kind: 'agent_will_call' }, 'en')).toBe('An agent will call you soon.');
    expect(replyFor({ kind: 'opted_out' }, 'es')).toMatch(/no te enviaremos/);
    expect(replyFor({ kind: 'menu' }, 'en')).toBe(menuText('en'));
    expect(replyFor({ kind: 'promise_needs_date' }, 'es')).toMatch(/día\/mes/);
  });

  it('explains each rejection reason of the promise policy, with a fallback', () => {
    const tooFar = replyFor({ kind: 'promise_rejected', reason: 'due_date_too_far', latestDate: '2026-12-05' }, 'es');
    expect(tooFar).toBe(
      'No pudimos registrar tu promesa. La fecha está demasiado lejos. La fecha más lejana posible es el 5 de diciembre de 2026. Responde 4 para hablar con un asesor.',
    );
    expect(replyFor({ kind: 'promise_rejected', reason: 'amount_too_low' }, 'en')).toMatch(/below the minimum/);
    expect(replyFor({ kind: 'promise_rejected', reason: 'something_new' }, 'en')).toMatch(/cannot accept that promise/);
  });
});
