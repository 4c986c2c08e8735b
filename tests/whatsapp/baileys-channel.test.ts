// The real Baileys socket, pointed at a closed local port (WhatsApp itself is out of reach in tests):
// the session row is created, an unreachable server means backoff reconnects, sends are refused as
// "not sent" (safe to retry), and close() stops the reconnect loop.
import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createDb } from '../../db/client';
import { whatsappNumbers } from '../../db/schema';
import { createBaileysChannel } from '../../activities/whatsapp/adapter';
import { WhatsAppSendError } from '../../activities/whatsapp/channel';
import { freePort } from '../../scripts/embedded-postgres';

const handle = createDb(inject('databaseUrl'), { max: 3 });
afterAll(() => handle.close());

describe('createBaileysChannel without a reachable WhatsApp', () => {
  it('reconnects with backoff, refuses sends as not sent, and stops on close()', async () => {
    const numberId = `wa-offline-${crypto.randomUUID().slice(0, 8)}`;
    const warnings: { message: string; meta?: Record<string, unknown> }[] = [];
    const log = {
      info: () => undefined,
      warn: (message: string, meta?: Record<string, unknown>) => void warnings.push({ message, meta }),
      error: () => undefined,
    };
    const channel = await createBaileysChannel({
      db: handle.db,
      numberId,
      log,
      rateLimit: { perMinute: 10, perDay: 100 },
      socket: { waWebSocketUrl: `ws://127.0.0.1:${await freePort()}/ws/chat`, connectTimeoutMs: 2000 },
    });
    try {
      const [row] = await handle.db.select().from(whatsappNumbers).where(eq(whatsappNumbers.id, numberId));
      expect(row?.status).toBe('unpaired');
      await expect
        .poll(() => warnings.filter((w) => w.message.includes('reconnecting')).length, { timeout: 10_000 })
        .toBeGreaterThanOrEqual(2);
      const delays = warnings.filter((w) => w.message.includes('reconnecting')).map((w) => Number(w.meta?.delayMs));
      expect(delays[1]).toBeGreaterThan(delays[0] ?? Infinity);
      expect(channel.status()).not.toBe('connected');
      expect(channel.currentQr()).toBeNull();

      const err = await channel.sendText('+525512345678', 'hola').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WhatsAppSendError);
      expect(err).toMatchObject({ code: 'disconnected', retryable: true, delivery: 'not_sent' });
    } finally {
      await channel.close();
    }
    expect(channel.status()).toBe('closed');
    const count = warnings.length;
    await new Promise((r) => setTimeout(r, 2500));
    expect(warnings.length).toBe(count);
  });
});
