// Formatting shared by every screen, through Intl in the person's locale (the webview's
// language; `setLocale` changes it, and the tests pin en-GB so they read the same everywhere).
// A FHIR date-only value ("2019-03-05") is formatted as that calendar day in UTC, so it never
// shifts a day through a time-zone conversion; a dateTime is shown in local time.

/**
 * `tag` if Intl knows it, else undefined (the runtime's default): a webview started under
 * LANG=C reports "c", which is not a language tag and would make every format throw.
 */
function usableLocale(tag: string | undefined): string | undefined {
  if (!tag) return undefined;
  try {
    return Intl.DateTimeFormat.supportedLocalesOf([tag]).length > 0 ? tag : undefined;
  } catch {
    return undefined;
  }
}

let locale: string | undefined = usableLocale(typeof navigator === 'undefined' ? undefined : navigator.language);

/** Sets the locale dates, numbers and messages are written in (e.g. "de-CH"); undefined: the default. */
export function setLocale(tag: string | undefined) {
  locale = usableLocale(tag);
  formats.clear();
}

/** The locale in use (undefined: the runtime's default). */
export function currentLocale(): string | undefined {
  return locale;
}

const formats = new Map<string, Intl.DateTimeFormat>();

function dateFormat(key: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  let f = formats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, options);
    formats.set(key, f);
  }
  return f;
}

const DAY: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' };
const MONTH: Intl.DateTimeFormatOptions = { month: 'short', year: 'numeric', timeZone: 'UTC' };
const DATE_TIME: Intl.DateTimeFormatOptions = {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
};

/**
 * A FHIR date / dateTime / instant for people: "5 Mar 2019", "Mar 2019", "2019", or
 * "5 Mar 2019, 14:05" (local time) when it carries a time (in en-GB; other locales their own
 * way). Unparseable input comes back as is; null/empty gives null.
 */
export function formatDate(value: string | null | undefined): string | null {
  if (value == null) return null;
  const s = String(value).trim();
  if (!s) return null;
  let m = /^(\d{4})$/.exec(s);
  if (m) return m[1];
  m = /^(\d{4})-(\d{2})$/.exec(s);
  if (m) return dateFormat('month', MONTH).format(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1));
  m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (m) return dateFormat('day', DAY).format(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (/^\d{4}-\d{2}-\d{2}T/.test(s)) {
    const d = new Date(s);
    if (!Number.isNaN(d.getTime())) return formatDateTime(d);
  }
  return s;
}

/** Only the day part of a date (no time), e.g. for timeline headings and chart labels. */
export function formatDay(value: string | null | undefined): string | null {
  if (value == null) return null;
  const s = String(value).trim();
  const day = /^\d{4}-\d{2}-\d{2}/.exec(s);
  return formatDate(day ? day[0] : s);
}

/** Milliseconds since the epoch, in local time: "5 Mar 2019, 14:05". */
export function formatMs(ms: number | null | undefined): string | null {
  if (ms == null || !Number.isFinite(ms)) return null;
  return formatDateTime(new Date(ms));
}

function formatDateTime(d: Date): string {
  return dateFormat('dateTime', DATE_TIME).format(d);
}

/** "mdw1qxyz…k3f9": enough to tell addresses apart without a wall of characters. */
export function shortAddress(address: string | null | undefined): string {
  if (!address) return '';
  return address.length <= 18 ? address : `${address.slice(0, 10)}…${address.slice(-6)}`;
}

/** An expiry picked in a date input ("2025-12-31") as RFC 3339 at the end of that day, UTC. */
export function endOfDayUtc(date: string): string | null {
  return /^\d{4}-\d{2}-\d{2}$/.test(date) ? `${date}T23:59:59Z` : null;
}

/** Numbers as people write them in their locale: no float noise, at most 4 decimals. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 4, useGrouping: false }).format(n);
}

/** A size in bytes as people read it, the locale's way: "512 kB", "1.1 GB". */
export function formatBytes(n: number): string {
  const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte'] as const;
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return new Intl.NumberFormat(locale, {
    style: 'unit',
    unit: units[i],
    unitDisplay: 'short',
    maximumFractionDigits: i > 0 && v < 10 ? 1 : 0,
  }).format(v);
}

/** UTF-8 safe base64, for turning the Rust-made QR SVG into a data: URL (CSP allows data: images). */
export function base64Utf8(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** A delay in words, the locale's way: "72 hours", "5 seconds", "30 days". */
export function describeDelay(ms: number): string {
  const s = Math.round(ms / 1000);
  const [n, unit] =
    s >= 7 * 86_400 && s % 86_400 === 0
      ? [s / 86_400, 'day']
      : s >= 3600 && s % 3600 === 0
        ? [s / 3600, 'hour']
        : s >= 60 && s % 60 === 0
          ? [s / 60, 'minute']
          : [s, 'second'];
  return new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'long' }).format(n);
}

/** "A", "A and B", "A, B and C", the locale's way. */
export function formatList(items: readonly string[]): string {
  return new Intl.ListFormat(locale, { style: 'long', type: 'conjunction' }).format(items);
}
