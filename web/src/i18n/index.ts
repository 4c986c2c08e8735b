// i18next: Spanish by default, English available; the choice is kept in localStorage (before login) and
// on the session (PATCH /v1/session {locale}), and written to <html lang>.
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en, es } from './messages';

export type Locale = 'es' | 'en';
const STORAGE_KEY = 'console.locale';

export function storedLocale(): Locale {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'es';
  } catch {
    return 'es';
  }
}

export function applyLocale(locale: Locale): void {
  try {
    localStorage.setItem(STORAGE_KEY, locale);
  } catch {
    // Private mode: the session still remembers it.
  }
  document.documentElement.lang = locale;
  void i18n.changeLanguage(locale);
}

const initial = storedLocale();
document.documentElement.lang = initial;
void i18n.use(initReactI18next).init({
  resources: { es: { translation: es }, en: { translation: en } },
  lng: initial,
  fallbackLng: 'es',
  interpolation: { escapeValue: false },
});

export default i18n;
