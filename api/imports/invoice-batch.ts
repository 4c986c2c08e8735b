// Many invoices at once, for `POST /v1/invoices/batch` and portfolio imports: each item is validated
// and ingested on its own (one bad item never blocks the others), and workflow messages are delivered
// while later items are still being written.
import type { Db } from '../../db/client';
import { ingestInvoices, type IngestResult } from '../invoices/ingest';
import { normalizeInvoice, type InvoiceRequest, type NormalizedInvoice } from '../invoices/normalize';
import type { OutboxRelay } from '../../lib/outbox/relay';
import { unknownStrategy, unknownStrategyIds } from '../invoices/strategy-check';
import { invalidFields, problemBody, ProblemError, type FieldError } from '../problem';
import { invoiceBodySchema } from '../schemas/invoices';
import { fieldErrors, validatorCompiler } from '../validation';

export type BatchItemStatus = 200 | 201 | 400 | 409 | 422 | 500;

export interface BatchItemResult {
  index: number;
  status: BatchItemStatus;
  invoiceId?: string;
  accountId?: string;
  workflowId?: string;
  error?: ReturnType<typeof problemBody>;
}

export interface BatchDeps {
  db: Db;
  outbox: Pick<OutboxRelay, 'dispatchNow' | 'taskQueue'>;
  log: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

const validateInvoice = validatorCompiler({
  schema: invoiceBodySchema,
  httpPart: 'body',
  method: 'POST',
  url: '/v1/invoices/batch',
}) as ((data: unknown) => boolean) & { errors?: Parameters<typeof fieldErrors>[0] | null };

/** Same checks as `POST /v1/invoices`: the JSON schema, then the semantic ones, with paths under `prefix`. */
export function checkInvoice(item: unknown, prefix: string): { value?: NormalizedInvoice; errors: FieldError[] } {
  if (!validateInvoice(item)) return { errors: fieldErrors(validateInvoice.errors ?? [], prefix) };
  return normalizeInvoice(item as InvoiceRequest, prefix);
}

const DISPATCH_CHUNK = 16;
const DISPATCH_LANES = 4;

function failure(index: number, err: unknown, log: BatchDeps['log']): BatchItemResult {
  if (err instanceof ProblemError && (err.status === 409 || err.status === 422 || err.status === 400)) {
    return { index, status: err.status, error: problemBody(err.status, err.title, err.detail, err.errors, err.extra) };
  }
  log.error({ err: (err as Error).message, index }, 'batch item failed');
  return {
    index,
    status: 500,
    error: problemBody(500, 'Internal Server Error', 'This item could not be stored; retry it.'),
  };
}

/**
 * Ingests already-checked invoices (`index` is the caller's numbering) and delivers their workflow
 * messages; outbox rows that cannot be delivered now are left to the relay loop.
 */
export async function ingestChecked(
  deps: BatchDeps,
  items: readonly { index: number; value: NormalizedInvoice }[],
  concurrency = 16,
): Promise<BatchItemResult[]> {
  // Deliveries run beside the ingest but with a bounded number of chunks in flight: past a few dozen
  // concurrent starts the Temporal frontend only queues them, and the batch gets slower, not faster.
  const deliveries: Promise<void>[] = [];
  let pending: number[] = [];
  let tail: Promise<void>[] = Array.from({ length: DISPATCH_LANES }, () => Promise.resolve());
  let lane = 0;
  const flush = () => {
    if (pending.length === 0) return;
    const ids = pending;
    pending = [];
    const slot = lane++ % DISPATCH_LANES;
    const delivery = (tail[slot] ?? Promise.resolve()).then(() =>
      deps.outbox.dispatchNow(ids).catch((err: unknown) => {
        deps.log.warn({ err: (err as Error).message }, 'workflow messages left to the outbox relay');
      }),
    );
    tail = tail.map((t, i) => (i === slot ? delivery : t));
    deliveries.push(delivery);
  };
  const outcomes = await ingestInvoices(
    deps.db,
    items.map((i) => i.value),
    {
      taskQueue: deps.outbox.taskQueue,
      concurrency,
      onDone: (_i, result: IngestResult, debtorDone) => {
        pending.push(...result.outboxIds);
        // A debtor's invoices leave in one chunk: the outbox sends them as one signal, decided as one.
        if (debtorDone && pending.length >= DISPATCH_CHUNK) flush();
      },
    },
  );
  flush();
  await Promise.all(deliveries);
  return outcomes.map((outcome, i) => {
    const index = items[i]?.index ?? i;
    if (!outcome.ok) return failure(index, outcome.error, deps.log);
    const { result } = outcome;
    return {
      index,
      status: result.created ? 201 : 200,
      invoiceId: result.invoiceId,
      accountId: result.accountId,
      workflowId: result.workflowId,
    };
  });
}

/** The whole batch endpoint: per-item validation errors (`invoices[3].amount`), then ingest of the good ones. */
export async function ingestBatch(deps: BatchDeps, raw: readonly unknown[]): Promise<BatchItemResult[]> {
  const results: BatchItemResult[] = new Array<BatchItemResult>(raw.length);
  const good: { index: number; value: NormalizedInvoice }[] = [];
  raw.forEach((item, index) => {
    const { value, errors } = checkInvoice(item, `invoices[${index}]`);
    if (value) good.push({ index, value });
    else {
      const { detail, errors: listed, extra } = invalidFields(errors);
      results[index] = { index, status: 400, error: problemBody(400, 'Bad Request', detail, listed, extra) };
    }
  });
  const unknown = await unknownStrategyIds(
    deps.db,
    good.map((g) => g.value.strategyId),
  );
  const known = good.filter(({ index, value }) => {
    if (!value.strategyId || !unknown.has(value.strategyId)) return true;
    const e = unknownStrategy(value.strategyId, `invoices[${index}].strategyId`);
    results[index] = { index, status: 422, error: problemBody(e.status, e.title, e.detail, e.errors) };
    return false;
  });
  for (const r of await ingestChecked(deps, known)) results[r.index] = r;
  return results;
}
