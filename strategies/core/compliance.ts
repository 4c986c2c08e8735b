// Compliance at send time: contact windows, holidays, caps and gaps from the jurisdiction pack,
// tightened by the strategy's contact block. Answers "may we contact now?" and "when next?".
import { addDays, daysBetween, localInstant, localParts, startOfLocalDay, weekday, weekStart } from './calendar';
import type { AccountState, ChannelCap, EngineContext, ContactRecord } from './types';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A pack always has a window within a few weeks; a year bounds the search for broken packs. */
const SEARCH_DAYS = 370;

export interface Block {
  reason: string;
  notBefore: number;
}

const holidaySets = new WeakMap<readonly string[], Set<string>>();

export function isHoliday(ctx: EngineContext, date: string): boolean {
  if (!ctx.pack.noContactOnHolidays) return false;
  let set = holidaySets.get(ctx.holidays);
  if (!set) {
    set = new Set(ctx.holidays);
    holidaySets.set(ctx.holidays, set);
  }
  return set.has(date);
}

/** First window opening of a local day, or null when the day allows no contact (Sunday, holiday). */
export function firstOpening(ctx: EngineContext, date: string): number | null {
  if (isHoliday(ctx, date)) return null;
  const windows = ctx.pack.windows[weekday(date)] ?? [];
  let best: number | null = null;
  for (const w of windows) {
    const start = localInstant(date, w.start, ctx.zone);
    if (best === null || start < best) best = start;
  }
  return best;
}

/** Earliest instant ≥ t inside an allowed window, ignoring caps. */
export function nextWindowInstant(ctx: EngineContext, t: number): number | null {
  const today = localParts(t, ctx.zone).date;
  for (let i = 0; i < SEARCH_DAYS; i++) {
    const date = addDays(today, i);
    if (isHoliday(ctx, date)) continue;
    let best: number | null = null;
    for (const w of ctx.pack.windows[weekday(date)] ?? []) {
      const start = localInstant(date, w.start, ctx.zone);
      const end = localInstant(date, w.end, ctx.zone);
      if (t >= end) continue;
      const candidate = Math.max(t, start);
      if (best === null || candidate < best) best = candidate;
    }
    if (best !== null) return best;
  }
  return null;
}

function effectiveCaps(ctx: EngineContext): ChannelCap[] {
  const caps = [...ctx.pack.caps];
  const contact = ctx.strategy.contact;
  if (contact.maxPerDay !== undefined) caps.push({ channels: '*', max: contact.maxPerDay, period: 'day' });
  for (const [channel, max] of Object.entries(contact.maxPerWeek ?? {}))
    caps.push({ channels: [channel], max, period: 'week' });
  return caps;
}

function inGroup(group: readonly string[] | '*', channel: string): boolean {
  return group === '*' || group.includes(channel);
}

/** The contacts a cap counts: this account's, plus the debtor's other accounts' unless the pack caps per debt. */
export function contactsCounted(ctx: EngineContext, state: AccountState): ContactRecord[] {
  const others = ctx.pack.capsPerDebt ? [] : (state.debtorContacts ?? []);
  if (others.length === 0) return state.contacts;
  return [...state.contacts, ...others].sort((a, b) => a.at - b.at);
}

export const CAP_REASON = { day: 'max_per_day', week: 'max_per_week', rolling7: 'max_per_7_days' } as const;

/** The first cap or gap that forbids contacting on `channel` at t, with the instant it lifts. */
export function capBlock(ctx: EngineContext, state: AccountState, channel: string, t: number): Block | null {
  const date = localParts(t, ctx.zone).date;
  const week = weekStart(date);
  const contacts = contactsCounted(ctx, state);
  for (const cap of effectiveCaps(ctx)) {
    if (!inGroup(cap.channels, channel)) continue;
    const relevant = contacts.filter((c) => inGroup(cap.channels, c.channel));
    if (cap.period === 'day') {
      if (relevant.filter((c) => c.date === date).length >= cap.max) {
        return { reason: CAP_REASON.day, notBefore: startOfLocalDay(addDays(date, 1), ctx.zone) };
      }
    } else if (cap.period === 'week') {
      if (relevant.filter((c) => c.date >= week && c.date < addDays(week, 7)).length >= cap.max) {
        return { reason: CAP_REASON.week, notBefore: startOfLocalDay(addDays(week, 7), ctx.zone) };
      }
    } else {
      const recent = relevant.filter((c) => c.at > t - 7 * DAY);
      if (recent.length >= cap.max) {
        const oldestCounted = recent[recent.length - cap.max];
        return { reason: CAP_REASON.rolling7, notBefore: (oldestCounted?.at ?? t) + 7 * DAY };
      }
    }
  }
  const apart = ctx.pack.minDaysApart;
  if (apart && apart.channels.includes(channel)) {
    const last = [...contacts].reverse().find((c) => apart.channels.includes(c.channel));
    if (last && daysBetween(last.date, date) < apart.days) {
      return { reason: 'min_days_between', notBefore: startOfLocalDay(addDays(last.date, apart.days), ctx.zone) };
    }
  }
  if (ctx.pack.oneChannelPerWeek) {
    const other = contacts.find((c) => c.date >= week && c.date < addDays(week, 7) && c.channel !== channel);
    if (other) return { reason: 'one_channel_per_week', notBefore: startOfLocalDay(addDays(week, 7), ctx.zone) };
  }
  const quiet = ctx.pack.quietAfterConversation;
  if (quiet && quiet.channels.includes(channel)) {
    const conversation = state.lastConversationAt[channel];
    if (conversation !== undefined && t < conversation + quiet.days * DAY) {
      return { reason: 'after_conversation', notBefore: conversation + quiet.days * DAY };
    }
  }
  const gapHours = Math.max(ctx.pack.minHoursBetween ?? 0, ctx.strategy.contact.minHoursBetween ?? 0);
  const last = contacts[contacts.length - 1];
  if (gapHours > 0 && last && t < last.at + gapHours * HOUR) {
    return { reason: 'min_hours_between', notBefore: last.at + gapHours * HOUR };
  }
  return null;
}

/** Why contacting on `channel` at t is not allowed (null = allowed). */
export function blockReason(ctx: EngineContext, state: AccountState, channel: string, t: number): string | null {
  const { date } = localParts(t, ctx.zone);
  if (isHoliday(ctx, date)) return 'holiday';
  if (nextWindowInstant(ctx, t) !== t) return 'outside_window';
  return capBlock(ctx, state, channel, t)?.reason ?? null;
}

/** Earliest instant ≥ t at which every rule allows contacting on `channel`; null if never within a year. */
export function nextAllowedInstant(ctx: EngineContext, state: AccountState, channel: string, t: number): number | null {
  let candidate = t;
  for (let i = 0; i < 200; i++) {
    const open = nextWindowInstant(ctx, candidate);
    if (open === null) return null;
    const block = capBlock(ctx, state, channel, open);
    if (!block) return open;
    candidate = Math.max(block.notBefore, open + 1);
  }
  return null;
}
