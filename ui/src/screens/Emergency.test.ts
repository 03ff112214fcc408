// Emergency access on the desktop: the patient prepares the emergency set with a contact and
// sees its code and every access in red; a clinician breaks the glass with the code and a
// reason, waits for the validators' shares, and reads the allergies.
import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import Emergency from './Emergency.svelte';
import { fail, mockBackend } from '../test/backend';
import type { EmergencyAccessItem, EmergencyView, OpenedEmergency } from '../ipc/types';

const NONE: EmergencyView = { set: null, accesses: [] };
const SET: EmergencyView = {
  set: { code: 'mdw1emergencycode', setAtMs: Date.UTC(2026, 11, 7, 9, 0), threshold: 3, validators: 4 },
  accesses: [],
};
const ACCESS: EmergencyAccessItem = {
  request: 'ab'.repeat(32),
  clinician: 'Dr. Meredith Grey',
  licence: 'MD-1',
  clinic: 'St Mary ED',
  reason: 'unconscious after a fall',
  atMs: Date.UTC(2026, 11, 7, 10, 0),
  endsAtMs: Date.UTC(2026, 11, 8, 10, 0),
  released: 3,
  threshold: 3,
  opened: true,
};
const BUNDLE = JSON.stringify({
  resourceType: 'Bundle',
  type: 'document',
  entry: [
    {
      fullUrl: 'urn:uuid:p',
      resource: {
        resourceType: 'Patient',
        id: 'p',
        contact: [
          {
            relationship: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0131', code: 'C' }], text: 'sister' }],
            name: { text: 'Ana Hintz' },
            telecom: [{ system: 'phone', value: '+1 555 0100' }],
          },
        ],
      },
    },
    {
      fullUrl: 'urn:uuid:a',
      resource: { resourceType: 'AllergyIntolerance', id: 'a', patient: { reference: 'urn:uuid:p' }, code: { text: 'Peanut' } },
    },
  ],
});

describe('the patient’s emergency set', () => {
  it('prepares it with a contact and shows the code for the emergency card', async () => {
    const backend = mockBackend({ emergency: NONE, set_emergency: SET, emergency_preview: BUNDLE });
    render(Emergency, { role: 'patient' });
    await screen.findByTestId('emergency-none');
    await fireEvent.input(screen.getByTestId('emergency-contact-name'), { target: { value: 'Ana Hintz' } });
    await fireEvent.input(screen.getByTestId('emergency-contact-relationship'), { target: { value: 'sister' } });
    await fireEvent.input(screen.getByTestId('emergency-contact-phone'), { target: { value: '+1 555 0100' } });
    await fireEvent.click(screen.getByTestId('emergency-save'));
    expect((await screen.findByTestId('emergency-code')).textContent).toBe('mdw1emergencycode');
    expect(screen.getByTestId('emergency-ready').textContent).toContain('3 of the 4 validators');
    expect(backend.callsOf('set_emergency')[0].args).toEqual({
      contacts: [{ name: 'Ana Hintz', relationship: 'sister', phone: '+1 555 0100' }],
    });
  });

  it('shows every access in red: who, which clinic, why, when', async () => {
    mockBackend({ emergency: { ...SET, accesses: [ACCESS] }, emergency_preview: BUNDLE });
    render(Emergency, { role: 'patient' });
    const entry = await screen.findByTestId('emergency-access');
    const text = entry.textContent?.replace(/\s+/g, ' ') ?? '';
    expect(text).toContain('Emergency access by Dr. Meredith Grey');
    expect(text).toContain('St Mary ED');
    expect(text).toContain('unconscious after a fall');
    expect(text).toContain('the clinician could open your emergency set');
  });
});

describe('what a clinician would read', () => {
  it('shows the set as a clinician reads it, and its contacts fill the form again', async () => {
    mockBackend({ emergency: SET, emergency_preview: BUNDLE });
    render(Emergency, { role: 'patient' });
    await screen.findByTestId('emergency-code');
    await waitFor(() =>
      expect((screen.getByTestId('emergency-contact-name') as HTMLInputElement).value).toBe('Ana Hintz'),
    );
    expect((screen.getByTestId('emergency-contact-phone') as HTMLInputElement).value).toBe('+1 555 0100');
    await fireEvent.click(screen.getByTestId('emergency-preview-toggle'));
    expect((await screen.findByTestId('emergency-preview')).textContent).toContain('Peanut');
  });
});

describe('a clinician breaks the glass', () => {
  it('asks with the code and a reason, waits for the shares, then reads the allergies', async () => {
    let shares = 0;
    const opened: OpenedEmergency = {
      request: {
        request: ACCESS.request,
        patient: 'mdw1emergencycode',
        atMs: ACCESS.atMs,
        endsAtMs: ACCESS.endsAtMs,
        released: 3,
        threshold: 3,
      },
      fhir: BUNDLE,
      refused: [],
    };
    const backend = mockBackend({
      request_emergency: opened.request,
      open_emergency: () => {
        shares += 1;
        if (shares === 1) fail('emergency_waiting', '0 of the 3 validator shares needed are out so far');
        return opened;
      },
    });
    render(Emergency, { role: 'doctor' });
    await fireEvent.input(screen.getByTestId('emergency-patient'), { target: { value: 'mdw1emergencycode' } });
    await fireEvent.input(screen.getByTestId('emergency-reason'), { target: { value: 'unconscious after a fall' } });
    await fireEvent.click(screen.getByTestId('emergency-ask'));
    expect((await screen.findByTestId('emergency-waiting')).textContent).toContain('Waiting for the validators');
    // It looks again by itself once the first answer said the shares are not out yet.
    const set = await screen.findByTestId('emergency-opened', {}, { timeout: 4000 });
    expect(shares).toBe(2);
    expect(set.textContent).toContain('Peanut');
    expect(backend.callsOf('request_emergency')[0].args).toEqual({
      patient: 'mdw1emergencycode',
      reason: 'unconscious after a fall',
    });
  });

  it('says so when the code has no emergency set', async () => {
    mockBackend({ request_emergency: () => fail('not_found', 'that account has no emergency set') });
    render(Emergency, { role: 'doctor' });
    await fireEvent.input(screen.getByTestId('emergency-patient'), { target: { value: 'mdw1other' } });
    await fireEvent.input(screen.getByTestId('emergency-reason'), { target: { value: 'fall' } });
    await fireEvent.click(screen.getByTestId('emergency-ask'));
    expect((await screen.findByRole('alert')).textContent).toContain('no emergency set');
  });
});
