import { afterEach, describe, expect, it, vi } from 'vitest';
import { arrivalSentence, notifyArrival } from './arrivals';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('records that arrived', () => {
  it('are counted and their clinics named', () => {
    expect(arrivalSentence({ count: 1, from: ['Riverside Clinic'] })).toBe('1 new record from Riverside Clinic');
    expect(arrivalSentence({ count: 3, from: ['Riverside Clinic', 'Harbour Clinic', 'Oak Clinic'] })).toBe(
      '3 new records from Riverside Clinic, Harbour Clinic and Oak Clinic',
    );
    expect(arrivalSentence({ count: 2, from: [] })).toBe('2 new records');
  });

  it('reach the desktop as a notification with that sentence', () => {
    const shown: { title: string; body?: string }[] = [];
    // The notification plugin's script replaces window.Notification with one that asks the
    // Rust side to notify; stand in for it.
    vi.stubGlobal(
      'Notification',
      class {
        constructor(title: string, options?: { body?: string }) {
          shown.push({ title, body: options?.body });
        }
      },
    );
    notifyArrival({ count: 2, from: ['Riverside Clinic'] });
    expect(shown).toEqual([{ title: 'Medwallet', body: '2 new records from Riverside Clinic' }]);
  });
});
