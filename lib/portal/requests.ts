// The portal's requests that are signals or facts rather than Updates: a dispute (with an optional
// attachment kept in PostgreSQL), an opt-out of a channel, a call from an agent. The same shared
// operations as the API's routes and the WhatsApp menu, so the workflow, timeline and ledger see them alike.
import { createHash } from 'node:crypto';
import type { Db } from '../../db/client';
import { portalAttachments } from '../../db/schema';
import { createAgentTask } from '../agent-tasks';
import { recordChannelStatus } from '../channel-status';
import { queueSignals, signalTo, type SignalOutbox } from '../outbox/signals';
import { disputeOpenedSignal } from '../../workflows/account.messages';
import { PORTAL_SOURCE } from './account';

export const ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024;
export const ATTACHMENT_TYPES = ['application/pdf', 'image/jpeg', 'image/png'] as const;
export type AttachmentType = (typeof ATTACHMENT_TYPES)[number];

/** The type a file's first bytes show, whatever the browser claimed: only pdf, jpg and png are kept. */
export function sniffAttachmentType(content: Buffer): AttachmentType | null {
  if (content.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  if (content[0] === 0xff && content[1] === 0xd8 && content[2] === 0xff) return 'image/jpeg';
  if (content.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  return null;
}

export interface PortalDispute {
  accountId: string;
  workflowId: string;
  invoiceExternalId?: string;
  reason: string;
  attachment?: { content: Buffer; contentType: AttachmentType };
}

/** Keeps the attachment and queues `disputeOpened` (source: portal) in one transaction; delivered after commit. */
export async function openDisputeFromPortal(
  db: Db,
  outbox: SignalOutbox,
  d: PortalDispute,
): Promise<{ attachmentId: string | null }> {
  const { ids, attachmentId } = await db.transaction(async (tx) => {
    let attachmentId: string | null = null;
    if (d.attachment) {
      const [row] = await tx
        .insert(portalAttachments)
        .values({
          accountId: d.accountId,
          invoiceExternalId: d.invoiceExternalId ?? null,
          contentType: d.attachment.contentType,
          sizeBytes: d.attachment.content.length,
          sha256: createHash('sha256').update(d.attachment.content).digest('hex'),
          content: d.attachment.content,
        })
        .returning({ id: portalAttachments.id });
      attachmentId = row?.id ?? null;
    }
    const ids = await queueSignals(tx, outbox.taskQueue, [
      signalTo(d.workflowId, disputeOpenedSignal, {
        reason: d.reason,
        ...(d.invoiceExternalId ? { invoiceExternalId: d.invoiceExternalId } : {}),
        source: PORTAL_SOURCE,
      }),
    ]);
    return { ids, attachmentId };
  });
  await outbox.dispatchNow(ids).catch(() => undefined);
  return { attachmentId };
}

/** The debtor's opt-out of a channel for all their accounts (the same record the staff route and the link make). */
export async function optOutFromPortal(
  db: Db,
  outbox: SignalOutbox,
  debtorId: string,
  channel: string,
): Promise<{ changed: boolean }> {
  const { changed, outboxIds } = await db.transaction((tx) =>
    recordChannelStatus(tx, outbox.taskQueue, {
      debtorIds: [debtorId],
      channel,
      status: 'opted_out',
      reason: 'debtor opted out in the portal',
    }),
  );
  await outbox.dispatchNow(outboxIds).catch(() => undefined);
  return { changed };
}

/**
 * A high-priority call task for whoever holds the account; one per account and local day however often
 * the debtor asks (the key is built from business ids).
 */
export async function askForAgentFromPortal(db: Db, accountId: string, localDate: string): Promise<{ taskId: string }> {
  return createAgentTask(db, {
    idempotencyKey: `portal/${accountId}/agent/${localDate}`,
    accountId,
    channel: 'call',
    priority: 'high',
    dueAt: new Date(),
    note: 'The debtor asked for a call from the portal.',
  });
}
