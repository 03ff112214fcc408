import { afterEach, describe, expect, it } from 'vitest';
import { IntlMessageFormat } from 'intl-messageformat';
import { render } from '@testing-library/svelte';
import { describeDelay, formatList, setLocale } from '../lib/format';
import { english } from './english';
import Message from './Message.svelte';
import { addCatalogue, resetCatalogues, t, tParts, type MessageId } from './translate';

afterEach(() => {
  resetCatalogues();
  setLocale('en-GB');
});

describe('the message catalogue', () => {
  it('holds only messages that parse as ICU MessageFormat', () => {
    const broken: string[] = [];
    for (const [id, text] of Object.entries(english)) {
      try {
        new IntlMessageFormat(text, 'en');
      } catch (e) {
        broken.push(`${id}: ${(e as Error).message}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('keys every message "area.name"', () => {
    for (const id of Object.keys(english)) expect(id).toMatch(/^[a-z]+\.[A-Za-z0-9.]+$/);
  });
});

describe('t', () => {
  const id = 'common.cancel' as MessageId;

  it('fills values and chooses the plural form of the locale', () => {
    addCatalogue('en-GB', { [id]: '{count, plural, one {# new record} other {# new records}} from {from}' });
    expect(t(id, { count: 1, from: 'Riverside Clinic' })).toBe('1 new record from Riverside Clinic');
    expect(t(id, { count: 2400, from: 'Riverside Clinic' })).toBe('2,400 new records from Riverside Clinic');
  });

  it('uses the language of a regional locale, and English where a translation lacks a message', () => {
    addCatalogue('de', { [id]: 'Abbrechen' });
    setLocale('de-CH');
    expect(t(id)).toBe('Abbrechen');
    expect(t('common.close')).toBe(english['common.close']);
    setLocale('fr-FR');
    expect(t(id)).toBe(english[id]);
  });

  it('keeps marked emphasis as parts and never reads a value as markup', () => {
    addCatalogue('en-GB', { [id]: 'Press <strong>Sync</strong> for {what}' });
    expect(tParts(id, { what: '<strong>x</strong>' })).toEqual([
      { text: 'Press ' },
      { text: 'Sync', tag: 'strong' },
      { text: ' for <strong>x</strong>' },
    ]);
    const { container } = render(Message, { id, values: { what: '<em>y</em>' } });
    expect(container.querySelectorAll('strong')).toHaveLength(1);
    expect(container.querySelector('em')).toBeNull();
    expect(container.textContent).toBe('Press Sync for <em>y</em>');
    expect(() => t(id, { code: 'x' })).toThrow(/may not be named "code"/);
  });
});

describe('locale-aware words', () => {
  it('writes delays and lists the locale’s way', () => {
    expect(describeDelay(72 * 3600 * 1000)).toBe('72 hours');
    expect(describeDelay(1000)).toBe('1 second');
    expect(describeDelay(30 * 86_400_000)).toBe('30 days');
    expect(formatList(['A', 'B', 'C'])).toBe('A, B and C');
    setLocale('de-DE');
    expect(describeDelay(72 * 3600 * 1000)).toBe('72 Stunden');
    expect(formatList(['A', 'B', 'C'])).toBe('A, B und C');
  });
});
