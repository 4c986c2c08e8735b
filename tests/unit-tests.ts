// The test files that need no server (no PostgreSQL, no Temporal): npm run test:unit runs them, the
// integration run skips them. A new pure test file is added here.
export const unitTests = [
  'tests/email/opt-out-links.test.ts',
  'tests/email/resend-sender.test.ts',
  'tests/email/resend-server.test.ts',
  'tests/email/webhook.test.ts',
  'tests/imports/amount-and-date.test.ts',
  'tests/imports/large-portfolio.test.ts',
  'tests/imports/portfolio-csv.test.ts',
  'tests/imports/portfolio-xlsx.test.ts',
  'tests/strategies/cli-and-api.test.ts',
  'tests/strategies/handoff-and-backlog.test.ts',
  'tests/strategies/money-segmentation.test.ts',
  'tests/strategies/properties.test.ts',
  'tests/strategies/definition.test.ts',
  'tests/strategies/fixtures.test.ts',
  'tests/strategies/journeys.test.ts',
  'tests/strategies/contact-budget.test.ts',
  'tests/whatsapp/config.test.ts',
  'tests/whatsapp/inbound-menu.test.ts',
  'tests/whatsapp/jid-and-events.test.ts',
  'tests/whatsapp/rate-limit.test.ts',
];
