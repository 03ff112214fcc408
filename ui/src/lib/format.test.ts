import { describe, expect, it } from 'vitest';
import { base64Utf8, endOfDayUtc, formatDate, formatDay, formatMs, formatNumber, setLocale, shortAddress } from './format';

describe('locale', () => {
  it('writes dates and numbers in the locale, keeps a date-only value on its day, and survives a non-tag', () => {
    try {
      setLocale('de-DE');
      expect(formatDate('2019-03-05')).toBe('5. März 2019');
      expect(formatNumber(5.83)).toBe('5,83');
      setLocale('en-US');
      expect(formatDate('2019-03-05')).toBe('Mar 5, 2019');
      // LANG=C gives "c": not a language tag; the default locale is used instead of throwing.
      setLocale('c');
      expect(formatDate('2019-03')).toMatch(/2019/);
      expect(formatNumber(1.5)).toMatch(/1.5/);
    } finally {
      setLocale('en-GB');
    }
  });
});

describe('formatDate', () => {
  it('formats FHIR partial dates without shifting the day', () => {
    expect(formatDate('2019')).toBe('2019');
    expect(formatDate('2019-03')).toBe('Mar 2019');
    expect(formatDate('2019-03-05')).toBe('5 Mar 2019');
    expect(formatDate('2019-12-31')).toBe('31 Dec 2019');
  });

  it('formats date-times in local time (UTC in tests)', () => {
    expect(formatDate('2019-03-05T10:20:00Z')).toBe('5 Mar 2019, 10:20');
    expect(formatDate('2019-03-05T23:30:00-02:00')).toBe('6 Mar 2019, 01:30');
  });

  it('returns null for nothing and the input for nonsense', () => {
    expect(formatDate(null)).toBeNull();
    expect(formatDate('')).toBeNull();
    expect(formatDate('last spring')).toBe('last spring');
  });

  it('formatDay keeps only the clinic’s calendar day', () => {
    expect(formatDay('2019-03-05T23:30:00-02:00')).toBe('5 Mar 2019');
  });
});

describe('small formatters', () => {
  it('formatMs', () => {
    expect(formatMs(Date.UTC(2024, 0, 2, 8, 5))).toBe('2 Jan 2024, 08:05');
    expect(formatMs(null)).toBeNull();
  });

  it('shortAddress keeps short ones and shortens long ones', () => {
    expect(shortAddress('mdw1abc')).toBe('mdw1abc');
    expect(shortAddress('mdw1qqqqqqqqqqqqqqqqqqqqqqqqqqqk3f9zz')).toBe('mdw1qqqqqq…k3f9zz');
    expect(shortAddress(null)).toBe('');
  });


  it('endOfDayUtc turns a date input into RFC 3339 end of day', () => {
    expect(endOfDayUtc('2025-12-31')).toBe('2025-12-31T23:59:59Z');
    expect(endOfDayUtc('31/12/2025')).toBeNull();
  });

  it('formatNumber removes float noise', () => {
    expect(formatNumber(0.1 + 0.2)).toBe('0.3');
    expect(formatNumber(120)).toBe('120');
  });

  it('base64Utf8 round-trips non-ASCII SVG text', () => {
    const svg = '<svg><title>Ünïcode ✓</title></svg>';
    const decoded = new TextDecoder().decode(Uint8Array.from(atob(base64Utf8(svg)), (c) => c.charCodeAt(0)));
    expect(decoded).toBe(svg);
  });
});
