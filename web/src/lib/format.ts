// Display helpers: money stays a decimal string from the API (never a float); dates in the browser's zone.
export function money(amount: string, currency: string, _locale?: string): string {
  // Grouped by hand from the decimal string: Number() would round amounts beyond 2^53 minor units.
  // Both languages write 1,234.50 (Mexican usage), so the locale changes nothing yet.
  const [int = '0', frac = ''] = amount.split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${grouped}.${frac.padEnd(2, '0')} ${currency}`;
}

const formats = new Map<string, Intl.DateTimeFormat>();

export function dateTime(iso: string | null | undefined, locale: string): string {
  if (!iso) return '—';
  const key = `${locale}/dt`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale === 'en' ? 'en-US' : 'es-MX', { dateStyle: 'medium', timeStyle: 'short' });
    formats.set(key, f);
  }
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : f.format(d);
}

export function today(): string {
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
