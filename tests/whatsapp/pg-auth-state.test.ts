// Baileys' session in PostgreSQL: what Baileys writes must come back byte for byte, deletes must
// delete, and each keys.set must land whole or not at all.
import { initAuthCreds, proto } from '@whiskeysockets/baileys';
import type { KeyPair } from '@whiskeysockets/baileys';
import { and, eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createDb } from '../../db/client';
import { whatsappAuthKeys, whatsappNumbers } from '../../db/schema';
import { usePostgresAuthState } from '../../activities/whatsapp/pg-auth-state';

const handle = createDb(inject('databaseUrl'), { max: 8 });
const { db } = handle;
afterAll(() => handle.close());

const numberId = () => `wa-test-${crypto.randomUUID()}`;

function keyPair(seed: number): KeyPair {
  return { public: Buffer.alloc(33, seed), private: new Uint8Array(32).fill(seed + 1) };
}

function bytes(v: Uint8Array | undefined): number[] {
  return v ? [...v] : [];
}

describe('usePostgresAuthState', () => {
  it('starts a new number with fresh creds and creates its whatsapp_numbers row', async () => {
    const id = numberId();
    const { state } = await usePostgresAuthState(db, id);
    expect(state.creds.registered).toBe(false);
    expect(state.creds.noiseKey.private).toBeInstanceOf(Uint8Array);
    const [row] = await db.select().from(whatsappNumbers).where(eq(whatsappNumbers.id, id));
    expect(row?.status).toBe('unpaired');
  });

  it('round-trips creds with their Buffers and Uint8Arrays intact', async () => {
    const id = numberId();
    const first = await usePostgresAuthState(db, id);
    const creds = first.state.creds;
    creds.me = { id: '5215512345678:3@s.whatsapp.net', name: 'Cobranzas' };
    creds.routingInfo = Buffer.from([0, 1, 2, 250, 255]);
    creds.registered = true;
    await first.saveCreds();

    const again = await usePostgresAuthState(db, id);
    const c = again.state.creds;
    expect(Buffer.isBuffer(c.noiseKey.private)).toBe(true);
    expect(bytes(c.noiseKey.private)).toEqual(bytes(creds.noiseKey.private));
    expect(bytes(c.signedIdentityKey.public)).toEqual(bytes(creds.signedIdentityKey.public));
    expect(bytes(c.signedPreKey.signature)).toEqual(bytes(creds.signedPreKey.signature));
    expect(bytes(c.routingInfo)).toEqual([0, 1, 2, 250, 255]);
    expect(c.advSecretKey).toBe(creds.advSecretKey);
    expect(c.registrationId).toBe(creds.registrationId);
    expect(c.me).toEqual(creds.me);
    expect(c.registered).toBe(true);

    // Saving again overwrites the one creds row instead of adding another.
    creds.nextPreKeyId = 42;
    await first.saveCreds();
    const rows = await db
      .select()
      .from(whatsappAuthKeys)
      .where(and(eq(whatsappAuthKeys.numberId, id), eq(whatsappAuthKeys.keyType, 'creds')));
    expect(rows).toHaveLength(1);
    expect((await usePostgresAuthState(db, id)).state.creds.nextPreKeyId).toBe(42);
  });

  it('sets, gets and deletes signal keys (a null value deletes)', async () => {
    const { state } = await usePostgresAuthState(db, numberId());
    await state.keys.set({
      'pre-key': { '1': keyPair(1), '2': keyPair(2) },
      session: { '5215512345678.0': new Uint8Array([9, 8, 7]) },
      'sender-key-memory': { 'g@g.us': { 'a@s.whatsapp.net': true } },
      'lid-mapping': { '5215512345678': '123456789@lid' },
    });
    const preKeys = await state.keys.get('pre-key', ['1', '2', '3']);
    expect(Object.keys(preKeys).sort()).toEqual(['1', '2']);
    expect(bytes(preKeys['2']?.public)).toEqual(bytes(keyPair(2).public));
    expect(bytes(preKeys['2']?.private)).toEqual(bytes(keyPair(2).private));
    expect(bytes((await state.keys.get('session', ['5215512345678.0']))['5215512345678.0'])).toEqual([9, 8, 7]);
    expect((await state.keys.get('sender-key-memory', ['g@g.us']))['g@g.us']).toEqual({ 'a@s.whatsapp.net': true });
    expect((await state.keys.get('lid-mapping', ['5215512345678']))['5215512345678']).toBe('123456789@lid');
    expect(await state.keys.get('pre-key', [])).toEqual({});

    await state.keys.set({ 'pre-key': { '1': null, '2': keyPair(7) } });
    const after = await state.keys.get('pre-key', ['1', '2']);
    expect(after['1']).toBeUndefined();
    expect(bytes(after['2']?.public)).toEqual(bytes(keyPair(7).public));

    await state.keys.clear?.();
    expect(await state.keys.get('session', ['5215512345678.0'])).toEqual({});
  });

  it('keeps numbers apart', async () => {
    const a = await usePostgresAuthState(db, numberId());
    const b = await usePostgresAuthState(db, numberId());
    await a.state.keys.set({ session: { s: new Uint8Array([1]) } });
    expect(await b.state.keys.get('session', ['s'])).toEqual({});
  });

  it('writes each set in one transaction: a set that fails half way leaves nothing behind', async () => {
    const { state } = await usePostgresAuthState(db, numberId());
    // Writes go out in statements of 500 rows; PostgreSQL's jsonb refuses \u0000, so the second
    // statement of this set fails after the first one succeeded.
    const preKeys = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`ok${i}`, keyPair(3)]));
    const bad = { 'pre-key': preKeys, 'lid-mapping': { broken: 'nul\u0000byte' } };
    await expect(Promise.resolve(state.keys.set(bad))).rejects.toThrow();
    expect(await state.keys.get('pre-key', ['ok0', 'ok499'])).toEqual({});
  });

  it('survives concurrent sets over the same keys in different orders, without deadlocks', async () => {
    const { state } = await usePostgresAuthState(db, numberId());
    const ids = Array.from({ length: 40 }, (_, i) => `k${i}`);
    const writes = Array.from({ length: 12 }, (_, w) => {
      const order = w % 2 === 0 ? ids : [...ids].reverse();
      const session = Object.fromEntries(order.map((id) => [id, new Uint8Array([w])]));
      const deletes = w % 3 === 0 ? { 'pre-key': { gone: null } } : { 'pre-key': { gone: keyPair(w) } };
      return Promise.resolve(state.keys.set({ session, ...deletes }));
    });
    await Promise.all(writes);
    const got = await state.keys.get('session', ids);
    expect(Object.keys(got)).toHaveLength(ids.length);
    // Every key holds the value of one whole writer: each set was applied atomically (no interleaving inside a set).
    const winners = new Set(Object.values(got).map((v) => v[0]));
    expect(winners.size).toBe(1);
  });

  it('revives app-state-sync keys as protobuf messages, as useMultiFileAuthState does', async () => {
    const { state } = await usePostgresAuthState(db, numberId());
    const key = proto.Message.AppStateSyncKeyData.fromObject({
      keyData: Buffer.from('00112233445566778899aabbccddeeff', 'hex'),
      fingerprint: { rawId: 7, currentIndex: 2, deviceIndexes: [0, 3] },
      timestamp: 1_765_000_000_000,
    });
    await state.keys.set({ 'app-state-sync-key': { AAAAAFw1: key } });
    const got = (await state.keys.get('app-state-sync-key', ['AAAAAFw1']))['AAAAAFw1'];
    expect(got).toBeInstanceOf(proto.Message.AppStateSyncKeyData);
    expect(bytes(got?.keyData ?? undefined)).toEqual(bytes(key.keyData ?? undefined));
    expect(got?.fingerprint?.deviceIndexes).toEqual([0, 3]);
    expect(Number(got?.timestamp)).toBe(1_765_000_000_000);
  });

  it('clear() forgets creds and keys, so the next start pairs anew', async () => {
    const id = numberId();
    const first = await usePostgresAuthState(db, id);
    first.state.creds.registered = true;
    await first.saveCreds();
    await first.state.keys.set({ session: { s: new Uint8Array([1]) } });
    await first.clear();
    const again = await usePostgresAuthState(db, id);
    expect(again.state.creds.registered).toBe(false);
    expect(again.state.creds.noiseKey.public).not.toEqual(initAuthCreds().noiseKey.public);
    expect(await again.state.keys.get('session', ['s'])).toEqual({});
  });
});
