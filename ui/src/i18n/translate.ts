// Every sentence the app shows comes from a message catalogue, in ICU MessageFormat (plurals,
// selects, numbers and dates written the locale's way), so a translator works on one file per
// language and never on the components. English (`./english`) is complete and is what a
// missing message falls back to; another language is added with `addCatalogue`. The locale is
// the one dates and numbers use (`setLocale` in lib/format).
//
// intl-messageformat (FormatJS) parses and formats ICU messages: a kept implementation of the
// standard translation tools read and write, rather than string concatenation per language.
import { IntlMessageFormat } from 'intl-messageformat';
import { currentLocale } from '../lib/format';
import { english } from './english';

export type MessageId = keyof typeof english;
export type MessageValues = Record<string, string | number | Date | null | undefined>;
/** A piece of a rich message: plain text, or text a translator marked `<strong>`, `<em>` or `<code>`. */
export type MessagePart = { text: string; tag?: 'strong' | 'em' | 'code' };

const catalogues = new Map<string, Partial<Record<MessageId, string>>>();
const compiled = new Map<string, IntlMessageFormat>();

/** Adds (or replaces) the messages of `locale` ("de", "fr-CA"); missing ones stay English. */
export function addCatalogue(locale: string, messages: Partial<Record<MessageId, string>>) {
  catalogues.set(locale.toLowerCase(), messages);
  compiled.clear();
}

/** Removes every added catalogue (tests). */
export function resetCatalogues() {
  catalogues.clear();
  compiled.clear();
}

/** The text of `id` in the locale in use: its exact tag, else its language, else English. */
function source(id: MessageId): { text: string; locale: string } {
  const locale = currentLocale();
  if (locale) {
    const tag = locale.toLowerCase();
    for (const candidate of [tag, tag.split('-')[0]]) {
      const text = catalogues.get(candidate)?.[id];
      if (text !== undefined) return { text, locale };
    }
  }
  return { text: english[id], locale: locale ?? 'en' };
}

function message(id: MessageId): IntlMessageFormat {
  const { text, locale } = source(id);
  const key = `${locale}\u0000${id}\u0000${text}`;
  let format = compiled.get(key);
  if (!format) {
    format = new IntlMessageFormat(text, locale);
    compiled.set(key, format);
  }
  return format;
}

/** The message `id` with its `values` filled in ("{count, plural, one {# record} other {# records}}"). */
export function t(id: MessageId, values?: MessageValues): string {
  return partsText(tParts(id, values));
}

/** The message `id` as parts, keeping the emphasis a translator marked (see Message.svelte). */
export function tParts(id: MessageId, values?: MessageValues): MessagePart[] {
  for (const reserved of ['strong', 'em', 'code']) {
    // The tag names are the catalogue's; a value by that name would silently replace one.
    if (values && reserved in values) throw new Error(`message ${id}: a value may not be named "${reserved}"`);
  }
  const tag = (name: MessagePart['tag']) => (chunks: unknown[]) => ({ text: chunks.join(''), tag: name });
  const out = message(id).format<MessagePart>({
    ...values,
    strong: tag('strong'),
    em: tag('em'),
    code: tag('code'),
  });
  const list = Array.isArray(out) ? out : [out];
  const parts: MessagePart[] = [];
  for (const item of list) {
    const part = typeof item === 'object' && item !== null ? (item as MessagePart) : { text: String(item) };
    const last = parts[parts.length - 1];
    if (last && !last.tag && !part.tag) last.text += part.text;
    else parts.push({ ...part });
  }
  return parts;
}

function partsText(parts: MessagePart[]): string {
  return parts.map((p) => p.text).join('');
}
