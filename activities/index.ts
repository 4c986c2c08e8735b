// All activities, built from their dependencies; workflows proxy them with `import type` only.
import type { LinkSettings } from '../lib/links';
import type { Db } from '../db/client';
import { createAccountActivities } from './account.activities';
import { createChannelActivities } from './channel.activities';
import { createContactBudgetActivities } from './contact-budget.activities';
import type { EmailSender } from './email/resend-sender';
import { createLedgerActivities } from './ledger.activities';
import { createStrategyActivities } from './strategy.activities';

export interface ActivityDeps {
  db: Db;
  email: EmailSender | null;
  /** Signs the opt-out link every email carries, and where it points (PUBLIC_BASE_URL or the API). */
  links: LinkSettings;
  /** WHATSAPP_SEND_NUMBER: handed to account workflows with their context; unset = WhatsApp is captured. */
  whatsappSendNumber?: string;
  /** CREDITOR_NAME: who collects, as messages name it. */
  creditorName?: string;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createAccountActivities(deps),
    ...createChannelActivities(deps),
    ...createStrategyActivities(deps),
    ...createContactBudgetActivities(deps),
    ...createLedgerActivities(deps),
  };
}
