import { describe, expect, it } from 'vitest';
import { render, screen } from '@testing-library/svelte';
import Summary from './Summary.svelte';
import { fail, mockBackend } from '../test/backend';
import type { PatientSummary } from '../ipc/types';

const PENICILLIN = {
  resourceType: 'AllergyIntolerance',
  id: 'a1',
  clinicalStatus: { coding: [{ code: 'active' }] },
  criticality: 'high',
  code: { text: 'Penicillin' },
  patient: { reference: 'urn:uuid:p' },
  reaction: [{ manifestation: [{ text: 'Anaphylaxis' }], severity: 'severe' }],
};

const SUMMARY: PatientSummary = {
  bundle: JSON.stringify({
    resourceType: 'Bundle',
    type: 'document',
    entry: [{ fullUrl: 'urn:uuid:a1', resource: PENICILLIN }],
  }),
  printable: '<html></html>',
  sections: [
    { key: 'problems', title: 'Problems', entries: [] },
    {
      key: 'allergies',
      title: 'Allergies and intolerances',
      entries: [{ fullUrl: 'urn:uuid:a1', recordId: 'r1', clinic: 'Riverside Clinic', verifiedHeight: 42 }],
    },
  ],
};

describe('My summary', () => {
  it('shows each section, its entries in words and where each came from', async () => {
    mockBackend({ patient_summary: SUMMARY });
    render(Summary);
    const sections = await screen.findAllByTestId('summary-section');
    expect(sections.map((s) => s.getAttribute('data-key'))).toEqual(['problems', 'allergies']);
    expect(screen.getByTestId('summary-empty').textContent).toContain('Nothing');
    expect(screen.getByText('Penicillin')).toBeTruthy();
    expect(screen.getByText('Anaphylaxis')).toBeTruthy();
    expect(screen.getByTestId('summary-entry').textContent).toContain('From Riverside Clinic · verified at ledger height 42');
  });

  it('shows the Rust side’s error in place', async () => {
    mockBackend({ patient_summary: () => fail('network', 'no node answered') });
    render(Summary);
    expect(await screen.findByText(/no node answered/)).toBeTruthy();
    expect(screen.queryByTestId('summary-section')).toBeNull();
  });
});
