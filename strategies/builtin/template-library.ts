// Built-in template library: names a strategy may use without defining them. Spanish first, English fallback.
import type { TemplateContent } from '../core/types';

type Localized = Record<string, TemplateContent>;

export const TEMPLATE_LIBRARY: Readonly<Record<string, Localized>> = {
  upcoming: {
    es: {
      subject: 'Tu pago vence pronto',
      body: 'Hola {{ debtor.name }}, te recordamos que tu saldo de {{ balance }} vence el {{ dueDate }}. {{ creditor.name }}.',
    },
    en: {
      subject: 'Your payment is due soon',
      body: 'Hi {{ debtor.name }}, a reminder that your balance of {{ balance }} is due on {{ dueDate }}. {{ creditor.name }}.',
    },
  },
  'due-today': {
    es: {
      subject: 'Tu pago vence hoy',
      body: 'Hola {{ debtor.name }}, hoy vence tu pago de {{ balance }}. Paga aquí: {{ paymentLink }}',
    },
    en: {
      subject: 'Your payment is due today',
      body: 'Hi {{ debtor.name }}, your payment of {{ balance }} is due today. Pay here: {{ paymentLink }}',
    },
  },
  overdue: {
    es: {
      subject: 'Tu pago está vencido',
      body: 'Hola {{ debtor.name }}, tu saldo es {{ balance }} y tiene {{ daysPastDue }} días de atraso. Paga o propón una fecha: {{ paymentLink }}',
    },
    en: {
      subject: 'Your payment is overdue',
      body: 'Hi {{ debtor.name }}, your balance is {{ balance }}, {{ daysPastDue }} days past due. Pay or promise a date: {{ paymentLink }}',
    },
  },
  'overdue-15': {
    es: {
      subject: 'Tu cuenta tiene 15 días de atraso',
      body: 'Hola {{ debtor.name }}, tu saldo de {{ balance }} sigue pendiente. Podemos ofrecerte un plan de pagos: {{ paymentLink }}',
    },
    en: {
      subject: 'Your account is 15 days past due',
      body: 'Hi {{ debtor.name }}, your balance of {{ balance }} is still unpaid. We can offer a payment plan: {{ paymentLink }}',
    },
  },
  'prelegal-notice': {
    es: {
      subject: 'Aviso antes de acciones prejudiciales',
      body: 'Estimado/a {{ debtor.name }}, su saldo de {{ balance }} tiene {{ daysPastDue }} días de atraso. Comuníquese con {{ creditor.name }} para regularizarlo.',
    },
    en: {
      subject: 'Notice before pre-legal action',
      body: 'Dear {{ debtor.name }}, your balance of {{ balance }} is {{ daysPastDue }} days past due. Please contact {{ creditor.name }} to settle it.',
    },
  },
  'invoice-reminder': {
    es: {
      subject: 'Recordatorio de factura',
      body: 'Estimados {{ debtor.name }}, la factura {{ invoice.externalId }} por {{ balance }} vence el {{ dueDate }}.',
    },
    en: {
      subject: 'Invoice reminder',
      body: 'Dear {{ debtor.name }}, invoice {{ invoice.externalId }} for {{ balance }} is due on {{ dueDate }}.',
    },
  },
  'invoice-overdue': {
    es: {
      subject: 'Factura vencida',
      body: 'Estimados {{ debtor.name }}, registramos un saldo vencido de {{ balance }} ({{ daysPastDue }} días). Agradecemos confirmar la fecha de pago.',
    },
    en: {
      subject: 'Overdue invoice',
      body: 'Dear {{ debtor.name }}, we show an overdue balance of {{ balance }} ({{ daysPastDue }} days). Please confirm your payment date.',
    },
  },
  'statement-overdue': {
    es: {
      subject: 'Estado de cuenta vencido',
      body: 'Estimados {{ debtor.name }}, adjuntamos el estado de cuenta con un saldo vencido de {{ balance }}. Si existe alguna diferencia, indíquenos para revisarla.',
    },
    en: {
      subject: 'Overdue statement',
      body: 'Dear {{ debtor.name }}, please find your statement with an overdue balance of {{ balance }}. If anything is disputed, tell us so we can review it.',
    },
  },
  'credit-hold-notice': {
    es: {
      subject: 'Aviso de suspensión de crédito',
      body: 'Estimados {{ debtor.name }}, con un saldo vencido de {{ balance }} suspenderemos nuevas entregas a crédito si no recibimos el pago.',
    },
    en: {
      subject: 'Credit hold notice',
      body: 'Dear {{ debtor.name }}, with an overdue balance of {{ balance }} we will put new credit orders on hold unless payment is received.',
    },
  },
};
