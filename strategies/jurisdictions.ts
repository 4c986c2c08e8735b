// Jurisdiction packs (DOMAIN.md) as versioned plain data. A strategy can only tighten them.
import type { ContactWindow, JurisdictionPack } from './core/types';

const WRITTEN = ['email', 'sms', 'whatsapp', 'letter'] as const;
const VOICE_AND_VISIT = ['call', 'visit'] as const;

function weekdays(start: string, end: string): Record<1 | 2 | 3 | 4 | 5, ContactWindow[]> {
  const w = [{ start, end }];
  return { 1: w, 2: w, 3: w, 4: w, 5: w };
}

export const JURISDICTION_PACKS: readonly JurisdictionPack[] = [
  {
    id: 'MX',
    country: 'MX',
    version: 1,
    effectiveFrom: '2000-01-01',
    legalBasis: 'CONDUSEF; Profeco for commercial creditors',
    windows: weekdays('07:00', '22:00'),
    noContactOnHolidays: true,
    caps: [],
  },
  {
    id: 'CO',
    country: 'CO',
    version: 1,
    effectiveFrom: '2023-07-03',
    legalBasis: 'Ley 2300 de 2023',
    windows: { ...weekdays('07:00', '19:00'), 6: [{ start: '08:00', end: '15:00' }] },
    noContactOnHolidays: true,
    caps: [{ channels: '*', max: 1, period: 'day' }],
    oneChannelPerWeek: true,
  },
  {
    id: 'CL',
    country: 'CL',
    version: 1,
    effectiveFrom: '2021-05-13',
    legalBasis: 'Ley 19.496 art. 37, Ley 21.320',
    windows: { ...weekdays('08:00', '20:00'), 6: [{ start: '08:00', end: '20:00' }] },
    noContactOnHolidays: true,
    caps: [
      { channels: VOICE_AND_VISIT, max: 1, period: 'week' },
      { channels: WRITTEN, max: 2, period: 'week' },
    ],
    minDaysApart: { channels: WRITTEN, days: 2 },
  },
  {
    id: 'PE',
    country: 'PE',
    version: 1,
    effectiveFrom: '2010-10-02',
    legalBasis: 'Ley 29571 art. 62',
    windows: weekdays('07:00', '20:00'),
    noContactOnHolidays: true,
    caps: [],
  },
  {
    id: 'US',
    country: 'US',
    version: 1,
    effectiveFrom: '2021-11-30',
    legalBasis: 'Regulation F, 12 CFR 1006',
    windows: {
      ...weekdays('08:00', '21:00'),
      6: [{ start: '08:00', end: '21:00' }],
      7: [{ start: '08:00', end: '21:00' }],
    },
    noContactOnHolidays: false,
    caps: [{ channels: ['call'], max: 7, period: 'rolling7' }],
    capsPerDebt: true,
    quietAfterConversation: { channels: ['call'], days: 7 },
  },
  {
    id: 'AR',
    country: 'AR',
    version: 1,
    effectiveFrom: '2019-01-01',
    legalBasis: 'Trato digno; CABA Ley 6171 (hours are a configurable default, not law)',
    windows: { ...weekdays('09:00', '19:00'), 6: [{ start: '10:00', end: '14:00' }] },
    noContactOnHolidays: true,
    caps: [],
  },
  {
    id: 'default',
    country: '*',
    version: 1,
    effectiveFrom: '2000-01-01',
    legalBasis: 'Product default for countries without a dedicated pack',
    windows: { ...weekdays('08:00', '20:00'), 6: [{ start: '08:00', end: '20:00' }] },
    noContactOnHolidays: true,
    caps: [{ channels: '*', max: 1, period: 'day' }],
  },
];

/** Main IANA zone per country, used when the debtor has no time zone of their own. */
export const MAIN_ZONES: Readonly<Record<string, string>> = {
  MX: 'America/Mexico_City',
  CO: 'America/Bogota',
  CL: 'America/Santiago',
  PE: 'America/Lima',
  US: 'America/New_York',
  AR: 'America/Argentina/Buenos_Aires',
  BR: 'America/Sao_Paulo',
  EC: 'America/Guayaquil',
  UY: 'America/Montevideo',
  PY: 'America/Asuncion',
  BO: 'America/La_Paz',
  VE: 'America/Caracas',
  GT: 'America/Guatemala',
  CR: 'America/Costa_Rica',
  PA: 'America/Panama',
  DO: 'America/Santo_Domingo',
  ES: 'Europe/Madrid',
  PT: 'Europe/Lisbon',
  GB: 'Europe/London',
  DE: 'Europe/Berlin',
  FR: 'Europe/Paris',
  CA: 'America/Toronto',
};

export function mainZone(country: string): string {
  return MAIN_ZONES[country.toUpperCase()] ?? 'UTC';
}

/** The pack version in force on a local date (YYYY-MM-DD) for a country; the default pack otherwise. */
export function packFor(country: string, onDate: string): JurisdictionPack {
  const code = country.toUpperCase();
  const versions = JURISDICTION_PACKS.filter((p) => p.country === code && p.effectiveFrom <= onDate);
  const latest = versions.sort((a, b) => b.effectiveFrom.localeCompare(a.effectiveFrom))[0];
  if (latest) return latest;
  const fallback = JURISDICTION_PACKS.find((p) => p.id === 'default');
  if (!fallback) throw new Error('default jurisdiction pack missing');
  return fallback;
}

/** The pack's explicit caps as strategy-comparable limits (for "can only tighten" validation). */
export function packLimits(pack: JurisdictionPack): {
  maxPerDay?: number;
  maxPerWeek: Record<string, number>;
  minHoursBetween?: number;
} {
  const limits: { maxPerDay?: number; maxPerWeek: Record<string, number>; minHoursBetween?: number } = {
    maxPerWeek: {},
  };
  const channels = ['email', 'sms', 'whatsapp', 'letter', 'call', 'visit'];
  for (const cap of pack.caps) {
    const covered = cap.channels === '*' ? channels : cap.channels;
    if (cap.period === 'day' && cap.channels === '*') limits.maxPerDay = Math.min(limits.maxPerDay ?? cap.max, cap.max);
    // Any rolling 7-day cap bounds a calendar week too; a per-day cap bounds it at 7.
    const weekly = cap.period === 'day' ? cap.max * 7 : cap.max;
    for (const c of covered) limits.maxPerWeek[c] = Math.min(limits.maxPerWeek[c] ?? weekly, weekly);
  }
  if (pack.minHoursBetween !== undefined) limits.minHoursBetween = pack.minHoursBetween;
  return limits;
}
