// Console people on the real servers: the first admin from configuration, login (cookie, CSRF token), the
// session as a principal on every /v1 route, CSRF on writes, idle and absolute expiry, language, password
// change, logout, users managed by admins, the login throttle per email and per address, and the audit log.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createDb } from '../../db/client';
import { loginFailures, users, userSessions } from '../../db/schema';
import { sessionIdOf } from '../../lib/users/sessions';
import { eventually } from '../support/http';
import { startTestApp, uniqueId, type TestApp } from '../support/runtime';
import { browserClient, login, sessionCookieOf, type Session } from '../support/session';

const handle = createDb(inject('databaseUrl'), { max: 2 });
const db = handle.db;
let app: TestApp;
let anon: ReturnType<typeof browserClient>;
const adminEmail = `${uniqueId('admin')}@example.com`;
const adminPassword = 'correct horse battery staple';
let admin: Session;
let adminKey: string;

const PER_EMAIL = 3;
const PER_IP = 6;

beforeAll(async () => {
  app = await startTestApp({
    ADMIN_EMAIL: adminEmail.toUpperCase(),
    ADMIN_PASSWORD: adminPassword,
    LOGIN_FAILURES_PER_EMAIL: String(PER_EMAIL),
    LOGIN_FAILURES_PER_IP: String(PER_IP),
  });
  anon = browserClient(app.url);
  admin = await login(app.url, adminEmail, adminPassword);
  adminKey = await app.keyFor('admin');
});

afterAll(async () => {
  await app?.stop();
  await handle.close();
});

async function newUser(role: string, extra: Record<string, unknown> = {}) {
  const email = `${uniqueId(role)}@example.com`;
  const password = `pw-${uniqueId('secret')}`;
  const res = await admin.call('POST', '/v1/users', { email, name: 'Ana Pérez', role, password, ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { email, password, id: res.body.id as string, body: res.body };
}

describe('login', () => {
  it('creates the first admin from ADMIN_EMAIL/ADMIN_PASSWORD (lower-cased) and signs in with a strict cookie', async () => {
    const res = await anon('POST', '/v1/session', { email: adminEmail, password: adminPassword });
    expect(res.status).toBe(200);
    expect(res.body.user).toEqual({
      id: expect.any(String),
      email: adminEmail.toLowerCase(),
      name: 'Admin',
      role: 'admin',
      agentId: null,
      locale: 'es',
    });
    expect(res.body.csrfToken).toMatch(/^[\w-]{32}$/);
    const set = (res.headers['set-cookie'] as string[]).find((c) => c.startsWith('co_session='));
    expect(set).toMatch(/HttpOnly/i);
    expect(set).toMatch(/SameSite=Strict/i);
    expect(set).toMatch(/Path=\//);
    expect(set).toMatch(/Expires=/);
    // Not on http: Secure only when PUBLIC_BASE_URL is https.
    expect(set).not.toMatch(/Secure/i);
    // Only the token's hash is stored.
    const token = sessionCookieOf(res.headers)!.split('=')[1]!;
    const [row] = await db
      .select()
      .from(userSessions)
      .where(eq(userSessions.id, sessionIdOf(token)));
    expect(row?.csrfToken).toBe(res.body.csrfToken);
    const stored = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(userSessions)
      .where(eq(userSessions.id, token));
    expect(stored[0]?.n).toBe(0);
  });

  it('answers a wrong password and an unknown email alike (401), and a malformed body with 400', async () => {
    const wrong = await anon('POST', '/v1/session', { email: adminEmail, password: 'not the password at all' });
    const unknown = await anon('POST', '/v1/session', { email: `${uniqueId('nobody')}@example.com`, password: 'x' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.type).toContain('application/problem+json');
    expect(unknown.body.detail).toBe(wrong.body.detail);
    expect(wrong.headers['set-cookie']).toBeUndefined();
    const bad = await anon('POST', '/v1/session', { email: adminEmail });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'password' })]);
  });

  it('GET /v1/session answers the user and the same CSRF token; 401 without a session or with an API key', async () => {
    const res = await admin.call('GET', '/v1/session');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ user: admin.user, csrfToken: admin.csrfToken });
    expect((await anon('GET', '/v1/session')).status).toBe(401);
    const withKey = await anon('GET', '/v1/session', undefined, { authorization: `Bearer ${adminKey}` });
    expect(withKey.status).toBe(401);
    expect(withKey.body.detail).toMatch(/session/);
    expect((await anon('GET', '/v1/session', undefined, { cookie: 'co_session=forged' })).status).toBe(401);
  });
});

describe('a session is a principal', () => {
  it('with its role on every route; writes need the CSRF token (403 naming the header); keys need none', async () => {
    expect((await admin.call('GET', '/v1/users')).status).toBe(200);
    const body = {
      email: `${uniqueId('s')}@example.com`,
      name: 'Sam',
      role: 'supervisor',
      password: 'long enough pw!',
    };
    const noCsrf = await admin.call('POST', '/v1/users', body, { csrf: false });
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.body.detail).toContain('x-csrf-token');
    const wrongCsrf = await anon('POST', '/v1/users', body, { cookie: admin.cookie, 'x-csrf-token': 'nope' });
    expect(wrongCsrf.status).toBe(403);
    expect((await admin.call('POST', '/v1/users', body)).status).toBe(201);
    // An API key is unchanged: no CSRF token, its own role.
    const byKey = await anon('GET', '/v1/users', undefined, { authorization: `Bearer ${adminKey}` });
    expect(byKey.status).toBe(200);
    expect(byKey.body.items.map((u: { email: string }) => u.email)).toContain(body.email);
  });

  it('a supervisor user is refused admin routes; an agent user acts as its agent id', async () => {
    const sup = await newUser('supervisor');
    const supSession = await login(app.url, sup.email, sup.password);
    expect((await supSession.call('GET', '/v1/users')).status).toBe(403);
    const agentId = uniqueId('agent');
    const agent = await newUser('agent', { agentId });
    expect(agent.body).toMatchObject({ role: 'agent', agentId, locale: 'es', disabled: false });
    const agentSession = await login(app.url, agent.email, agent.password);
    expect(agentSession.user.agentId).toBe(agentId);
    const tasks = await agentSession.call('GET', '/v1/tasks');
    expect(tasks.status).toBe(200);
    expect(tasks.body.items).toEqual([]);
    expect((await agentSession.call('GET', '/v1/users')).status).toBe(403);
  });

  it('is recorded in the audit log by user id, with passwords redacted', async () => {
    const created = await newUser('strategist');
    const entry = await eventually(
      async () => (await admin.call('GET', `/v1/audit?route=${encodeURIComponent('/v1/users')}&limit=50`)).body,
      (b) => (b.items ?? []).some((e: any) => e.statusCode === 201 && e.body?.email?.length === created.email.length),
    );
    const row = entry.items.find((e: any) => e.statusCode === 201 && e.body?.email?.length === created.email.length);
    expect(row.userId).toBe(admin.user.id);
    expect(row.keyId).toBeNull();
    expect(row.role).toBe('admin');
    expect(row.body.password).toEqual({ length: created.password.length });
    expect(JSON.stringify(entry)).not.toContain(created.password);
  });
});

describe('session lifetime', () => {
  it('ends when idle past SESSION_IDLE_MINUTES (default 12 h) or past its absolute expiry', async () => {
    const u = await newUser('supervisor');
    const idle = await login(app.url, u.email, u.password);
    const old = await login(app.url, u.email, u.password);
    expect((await idle.call('GET', '/v1/session')).status).toBe(200);
    const idOf = (s: Session) => sessionIdOf(s.cookie.split('=')[1]!);
    await db
      .update(userSessions)
      .set({ lastSeenAt: sql`now() - interval '12 hours 1 minute'` })
      .where(eq(userSessions.id, idOf(idle)));
    expect((await idle.call('GET', '/v1/session')).status).toBe(401);
    await db
      .update(userSessions)
      .set({ lastSeenAt: sql`now() - interval '11 hours'` })
      .where(eq(userSessions.id, idOf(old)));
    // Used within the idle limit: alive, and its last use moves forward.
    expect((await old.call('GET', '/v1/session')).status).toBe(200);
    const [seen] = await db
      .select()
      .from(userSessions)
      .where(eq(userSessions.id, idOf(old)));
    expect(Date.now() - seen!.lastSeenAt.getTime()).toBeLessThan(60_000);
    expect(seen!.expiresAt.getTime() - seen!.createdAt.getTime()).toBe(7 * 24 * 3_600_000);
    await db
      .update(userSessions)
      .set({ expiresAt: sql`now() - interval '1 second'` })
      .where(eq(userSessions.id, idOf(old)));
    expect((await old.call('GET', '/v1/session')).status).toBe(401);
  });

  it('PATCH /v1/session remembers the language for the next login', async () => {
    const u = await newUser('strategist');
    const s = await login(app.url, u.email, u.password);
    const res = await s.call('PATCH', '/v1/session', { locale: 'en' });
    expect(res.status).toBe(200);
    expect(res.body.user.locale).toBe('en');
    expect(res.body.csrfToken).toBe(s.csrfToken);
    expect((await s.call('PATCH', '/v1/session', { locale: 'fr' })).body.errors).toEqual([
      expect.objectContaining({ field: 'locale' }),
    ]);
    expect((await login(app.url, u.email, u.password)).user.locale).toBe('en');
  });

  it('a password change keeps this session, ends the others, and the old password stops working', async () => {
    const u = await newUser('supervisor');
    const here = await login(app.url, u.email, u.password);
    const elsewhere = await login(app.url, u.email, u.password);
    const wrong = await here.call('POST', '/v1/session/password', {
      currentPassword: 'not it, surely',
      newPassword: 'a brand new passphrase',
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors).toEqual([expect.objectContaining({ field: 'currentPassword' })]);
    const short = await here.call('POST', '/v1/session/password', {
      currentPassword: u.password,
      newPassword: 'short',
    });
    expect(short.body.errors).toEqual([expect.objectContaining({ field: 'newPassword' })]);
    const ok = await here.call('POST', '/v1/session/password', {
      currentPassword: u.password,
      newPassword: 'a brand new passphrase',
    });
    expect(ok.status).toBe(204);
    expect((await here.call('GET', '/v1/session')).status).toBe(200);
    expect((await elsewhere.call('GET', '/v1/session')).status).toBe(401);
    expect((await anon('POST', '/v1/session', { email: u.email, password: u.password })).status).toBe(401);
    expect((await login(app.url, u.email, 'a brand new passphrase')).user.id).toBe(u.id);
  });

  it('logout ends the session and clears the cookie; it needs the CSRF token', async () => {
    const u = await newUser('strategist');
    const s = await login(app.url, u.email, u.password);
    expect((await s.call('DELETE', '/v1/session', undefined, { csrf: false })).status).toBe(403);
    const out = await s.call('DELETE', '/v1/session');
    expect(out.status).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/co_session=;.*Expires=Thu, 01 Jan 1970/);
    expect((await s.call('GET', '/v1/session')).status).toBe(401);
  });
});

describe('users (admin)', () => {
  it('validates roles and agent ids, refuses duplicates, and never shows a hash', async () => {
    const base = { name: 'Luz', password: 'long enough password' };
    const noAgent = await admin.call('POST', '/v1/users', { ...base, email: `${uniqueId('a')}@x.com`, role: 'agent' });
    expect(noAgent.status).toBe(400);
    expect(noAgent.body.errors).toEqual([expect.objectContaining({ field: 'agentId' })]);
    const system = await admin.call('POST', '/v1/users', { ...base, email: `${uniqueId('s')}@x.com`, role: 'system' });
    expect(system.body.errors).toEqual([expect.objectContaining({ field: 'role' })]);
    const agentId = uniqueId('agent');
    const first = await newUser('agent', { agentId });
    const dupEmail = await admin.call('POST', '/v1/users', {
      ...base,
      email: first.email.toUpperCase(),
      role: 'strategist',
    });
    expect(dupEmail.status).toBe(409);
    const dupAgent = await admin.call('POST', '/v1/users', {
      ...base,
      email: `${uniqueId('b')}@x.com`,
      role: 'agent',
      agentId,
    });
    expect(dupAgent.status).toBe(409);
    const list = await admin.call('GET', '/v1/users');
    expect(JSON.stringify(list.body)).not.toMatch(/argon2|passwordHash/);
  });

  it('PATCH changes role and agent id (next request sees it), disables (sessions end), sets a password', async () => {
    const u = await newUser('supervisor');
    const s = await login(app.url, u.email, u.password);
    const toAgent = await admin.call('PATCH', `/v1/users/${u.id}`, { role: 'agent' });
    expect(toAgent.body.errors).toEqual([expect.objectContaining({ field: 'agentId' })]);
    const agentId = uniqueId('agent');
    const changed = await admin.call('PATCH', `/v1/users/${u.id}`, { role: 'agent', agentId, name: 'Nuevo' });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ role: 'agent', agentId, name: 'Nuevo' });
    expect((await s.call('GET', '/v1/session')).body.user).toMatchObject({ role: 'agent', agentId });
    // An empty change (found by schemathesis: it was a 500) changes nothing and answers the user.
    const nothing = await admin.call('PATCH', `/v1/users/${u.id}`, {});
    expect(nothing.status).toBe(200);
    expect(nothing.body).toMatchObject({ role: 'agent', agentId, name: 'Nuevo' });
    const back = await admin.call('PATCH', `/v1/users/${u.id}`, { role: 'strategist' });
    expect(back.body).toMatchObject({ role: 'strategist', agentId: null });
    const disabled = await admin.call('PATCH', `/v1/users/${u.id}`, { disabled: true });
    expect(disabled.body.disabled).toBe(true);
    expect((await s.call('GET', '/v1/session')).status).toBe(401);
    expect((await anon('POST', '/v1/session', { email: u.email, password: u.password })).status).toBe(401);
    await admin.call('PATCH', `/v1/users/${u.id}`, { disabled: false, password: 'set by the admin here' });
    expect((await login(app.url, u.email, 'set by the admin here')).user.role).toBe('strategist');
    expect((await admin.call('PATCH', `/v1/users/${crypto.randomUUID()}`, { name: 'x' })).status).toBe(404);
    const self = await admin.call('PATCH', `/v1/users/${admin.user.id}`, { disabled: true });
    expect(self.status).toBe(409);
  });
});

describe('login throttle', () => {
  it('per email: past LOGIN_FAILURES_PER_EMAIL failures even the right password is a 429 with Retry-After', async () => {
    const u = await newUser('strategist');
    const from = browserClient(app.url, '127.0.0.2');
    for (let i = 0; i < PER_EMAIL; i++)
      expect((await from('POST', '/v1/session', { email: u.email, password: `wrong ${i}` })).status).toBe(401);
    const right = await from('POST', '/v1/session', { email: u.email, password: u.password });
    expect(right.status).toBe(429);
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(right.headers['retry-after'])).toBeLessThanOrEqual(15 * 60);
    // Another email from the same address is not throttled by that email's failures.
    expect((await login(app.url, admin.user.email, adminPassword, '127.0.0.2')).user.id).toBe(admin.user.id);
    await db.delete(loginFailures).where(eq(loginFailures.email, u.email));
    expect((await login(app.url, u.email, u.password, '127.0.0.2')).user.id).toBe(u.id);
  });

  it('per address: past LOGIN_FAILURES_PER_IP failures (any emails) the address is refused', async () => {
    const ip = '127.0.0.3';
    const from = browserClient(app.url, ip);
    for (let i = 0; i < PER_IP; i++) {
      const res = await from('POST', '/v1/session', { email: `${uniqueId('guess')}@example.com`, password: 'guess' });
      expect(res.status).toBe(401);
    }
    const next = await from('POST', '/v1/session', { email: adminEmail, password: adminPassword });
    expect(next.status).toBe(429);
    expect(next.headers['retry-after']).toBeDefined();
    // Other addresses are not affected.
    expect((await login(app.url, adminEmail, adminPassword)).user.role).toBe('admin');
    await db.delete(loginFailures).where(eq(loginFailures.ip, ip));
  });
});

describe('users table', () => {
  it('keeps argon2id hashes', async () => {
    const [row] = await db.select().from(users).where(eq(users.email, adminEmail.toLowerCase()));
    expect(row?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });
});
