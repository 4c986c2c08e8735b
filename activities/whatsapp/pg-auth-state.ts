// Baileys' credentials and signal keys in PostgreSQL: Baileys documents its file-based store as unfit
// for production, and a worker that moves to another host must keep its WhatsApp session.
// Serialised exactly like useMultiFileAuthState (BufferJSON), so Buffers and Uint8Arrays survive.
import { BufferJSON, initAuthCreds, proto } from '@whiskeysockets/baileys';
import type {
  AuthenticationCreds,
  AuthenticationState,
  SignalDataSet,
  SignalDataTypeMap,
  SignalKeyStore,
} from '@whiskeysockets/baileys';
import { and, eq, inArray, ne, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client';
import { whatsappAuthKeys, whatsappNumbers } from '../../db/schema';

const CREDS = 'creds';

export interface PostgresAuthState {
  state: AuthenticationState;
  /** Writes `state.creds` (Baileys mutates it in place on `creds.update`). */
  saveCreds(): Promise<void>;
  /** Forgets the session (creds and keys), as after a logout: the next start pairs anew. */
  clear(): Promise<void>;
}

export function serialise(value: unknown): string {
  return JSON.stringify(value, BufferJSON.replacer);
}

export function deserialise<T>(text: string): T {
  return JSON.parse(text, BufferJSON.reviver) as T;
}

// jsonb is read back as text so the reviver sees the stored document, not a pre-parsed copy.
const valueText = sql<string>`${whatsappAuthKeys.value}::text`;

/** The number's row must exist before its keys (foreign key); creating it here keeps start-up one call. */
export async function ensureWhatsAppNumber(db: DbOrTx, numberId: string): Promise<void> {
  await db.insert(whatsappNumbers).values({ id: numberId }).onConflictDoNothing();
}

export async function usePostgresAuthState(db: Db, numberId: string): Promise<PostgresAuthState> {
  await ensureWhatsAppNumber(db, numberId);
  const rows = await db
    .select({ value: valueText })
    .from(whatsappAuthKeys)
    .where(
      and(
        eq(whatsappAuthKeys.numberId, numberId),
        eq(whatsappAuthKeys.keyType, CREDS),
        eq(whatsappAuthKeys.keyId, CREDS),
      ),
    );
  const stored = rows[0];
  const creds: AuthenticationCreds = stored ? deserialise<AuthenticationCreds>(stored.value) : initAuthCreds();

  const keys: SignalKeyStore = {
    async get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]) {
      const data: { [id: string]: SignalDataTypeMap[T] } = {};
      if (ids.length === 0) return data;
      const found = await db
        .select({ id: whatsappAuthKeys.keyId, value: valueText })
        .from(whatsappAuthKeys)
        .where(
          and(
            eq(whatsappAuthKeys.numberId, numberId),
            eq(whatsappAuthKeys.keyType, type),
            inArray(whatsappAuthKeys.keyId, ids),
          ),
        );
      for (const row of found) {
        let value: unknown = deserialise(row.value);
        // As useMultiFileAuthState does: app-state sync needs the protobuf class, not a plain object.
        if (type === 'app-state-sync-key' && value) value = proto.Message.AppStateSyncKeyData.fromObject(value);
        data[row.id] = value as SignalDataTypeMap[T];
      }
      return data;
    },
    async set(data: SignalDataSet) {
      await db.transaction(async (tx) => writeKeys(tx, numberId, data));
    },
    async clear() {
      await db
        .delete(whatsappAuthKeys)
        .where(and(eq(whatsappAuthKeys.numberId, numberId), ne(whatsappAuthKeys.keyType, CREDS)));
    },
  };

  return {
    state: { creds, keys },
    async saveCreds() {
      await upsert(db, [{ numberId, keyType: CREDS, keyId: CREDS, json: serialise(creds) }]);
    },
    async clear() {
      await db.delete(whatsappAuthKeys).where(eq(whatsappAuthKeys.numberId, numberId));
    },
  };
}

interface KeyRow {
  numberId: string;
  keyType: string;
  keyId: string;
  json: string;
}

async function writeKeys(tx: DbOrTx, numberId: string, data: SignalDataSet): Promise<void> {
  const writes: KeyRow[] = [];
  const deletes = new Map<string, string[]>();
  for (const [type, entries] of Object.entries(data)) {
    for (const [id, value] of Object.entries(entries ?? {})) {
      if (value) writes.push({ numberId, keyType: type, keyId: id, json: serialise(value) });
      else deletes.set(type, [...(deletes.get(type) ?? []), id]);
    }
  }
  // Sets of one number take turns: upserts and deletes of concurrent sets could otherwise lock the
  // same rows in different orders and deadlock.
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`whatsapp-auth:${numberId}`}, 0))`);
  await upsert(tx, writes);
  for (const [type, ids] of deletes) {
    await tx
      .delete(whatsappAuthKeys)
      .where(
        and(
          eq(whatsappAuthKeys.numberId, numberId),
          eq(whatsappAuthKeys.keyType, type),
          inArray(whatsappAuthKeys.keyId, ids),
        ),
      );
  }
}

async function upsert(db: DbOrTx, rows: KeyRow[]): Promise<void> {
  // Bounded statements: a history sync can hand over thousands of keys at once.
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    await db
      .insert(whatsappAuthKeys)
      .values(
        chunk.map((r) => ({ numberId: r.numberId, keyType: r.keyType, keyId: r.keyId, value: sql`${r.json}::jsonb` })),
      )
      .onConflictDoUpdate({
        target: [whatsappAuthKeys.numberId, whatsappAuthKeys.keyType, whatsappAuthKeys.keyId],
        set: { value: sql`excluded.value`, updatedAt: sql`now()` },
      });
  }
}
