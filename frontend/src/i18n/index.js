import ar from './ar.json';
import ptBR from './pt-BR.json';

// The plugin's languages besides English (the source strings), keyed by lower-case locale.
export const TRANSLATIONS = { ar, 'pt-br': ptBR };

/** The messages for a host locale: the exact locale, else its language ("ar-eg" -> "ar"), else none. */
export function messagesFor(locale) {
  const wanted = String(locale || 'en').toLowerCase().replace('_', '-');
  return TRANSLATIONS[wanted] || TRANSLATIONS[wanted.split('-')[0]] || {};
}
