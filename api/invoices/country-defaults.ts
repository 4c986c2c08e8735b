// Where a debtor gives no time zone or locale, the country's main ones apply.

const mainZones: Record<string, string> = {
  MX: 'America/Mexico_City',
  CO: 'America/Bogota',
  CL: 'America/Santiago',
  PE: 'America/Lima',
  AR: 'America/Argentina/Buenos_Aires',
  US: 'America/New_York',
  BR: 'America/Sao_Paulo',
  EC: 'America/Guayaquil',
  UY: 'America/Montevideo',
  PY: 'America/Asuncion',
  BO: 'America/La_Paz',
  VE: 'America/Caracas',
  CR: 'America/Costa_Rica',
  PA: 'America/Panama',
  GT: 'America/Guatemala',
  DO: 'America/Santo_Domingo',
  ES: 'Europe/Madrid',
  GB: 'Europe/London',
  CA: 'America/Toronto',
};

const englishSpeaking = new Set(['US', 'GB', 'CA', 'AU', 'NZ', 'IE']);

export function countryMainZone(country: string): string {
  return mainZones[country] ?? 'UTC';
}

export function countryDefaultLocale(country: string): string {
  if (country === 'BR') return 'pt-BR';
  return englishSpeaking.has(country) ? `en-${country}` : `es-${country}`;
}
