// Guardian recovery on the desktop: the patient names guardians and sees (and cancels) a
// recovery nobody asked for; a guardian approves only with the code the patient reads out;
// a new device asks, follows the approvals and takes the wallet back under new words.
import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import RecoverWallet from './RecoverWallet.svelte';
import Settings from './Settings.svelte';
import { mockBackend } from '../test/backend';
import { patientStatus } from '../test/fixtures';
import { session } from '../lib/session.svelte';
import type { GuardiansView, GuardingItem, RecoveryItem } from '../ipc/types';

const SETTINGS = { nodes: ['http://127.0.0.1:7001'], genesisPath: null, chainId: 'c', autoLockMinutes: 5, devnet: true };
const NONE: GuardiansView = {
  guardians: [],
  threshold: 0,
  delayMs: 0,
  label: null,
  recovery: null,
  minDelayMs: 5000,
  defaultDelayMs: 259_200_000,
};
const RECOVERY: RecoveryItem = {
  account: 'mdw1patient',
  deviceCode: '1a2b-3c4d-5e6f-7a8b-9c0d',
  stage: 'waiting_for_approvals',
  approvals: 1,
  declines: 0,
  threshold: 2,
  guardians: 3,
  startedAtMs: Date.UTC(2026, 11, 4, 9, 0),
  effectiveAtMs: null,
  released: 0,
};
const SET: GuardiansView = {
  ...NONE,
  guardians: [
    { address: 'mdw1sister', name: null },
    { address: 'mdw1doctor', name: 'Dr. Meredith Grey' },
    { address: 'mdw1friend', name: null },
  ],
  threshold: 2,
  delayMs: 5000,
  label: 'Ned',
};

describe('a patient’s guardians in Settings', () => {
  it('names guardians by their share codes, with the threshold, the delay and a name', async () => {
    session.status = patientStatus;
    const backend = mockBackend({
      settings: SETTINGS,
      erasures: [],
      guarding: [],
      guardians: NONE,
      set_guardians: SET,
    });
    render(Settings);
    await screen.findByTestId('guardians-none');
    const delay = screen.getByTestId('guardian-delay') as HTMLSelectElement;
    expect(delay.value).toBe('259200000');
    expect([...delay.options].map((o) => o.textContent)).toContain('5 seconds (this network’s shortest)');
    await fireEvent.input(screen.getByTestId('guardian-codes'), { target: { value: 'mdwshare1a\nmdwshare1b  mdwshare1c\n' } });
    await fireEvent.input(screen.getByTestId('guardian-threshold'), { target: { value: '2' } });
    await fireEvent.change(delay, { target: { value: '5000' } });
    await fireEvent.input(screen.getByTestId('guardian-label'), { target: { value: 'Ned' } });
    await fireEvent.input(screen.getByTestId('guardian-password'), { target: { value: 'patient password 1' } });
    await fireEvent.click(screen.getByTestId('guardians-save'));
    const summary = await screen.findByTestId('guardians-summary');
    expect(summary.textContent?.replace(/\s+/g, ' ')).toContain('Any 2 of these 3 can recover your wallet, 5 seconds after they approve');
    expect(screen.getByTestId('guardian-list').textContent).toContain('Dr. Meredith Grey');
    expect(backend.callsOf('set_guardians')[0].args).toEqual({
      password: 'patient password 1',
      codes: ['mdwshare1a', 'mdwshare1b', 'mdwshare1c'],
      threshold: 2,
      delayMs: 5000,
      label: 'Ned',
    });
  });

  it('refuses more approvals than guardians before asking the ledger', async () => {
    session.status = patientStatus;
    const backend = mockBackend({ settings: SETTINGS, erasures: [], guarding: [], guardians: NONE });
    render(Settings);
    await screen.findByTestId('guardians-none');
    await fireEvent.input(screen.getByTestId('guardian-codes'), { target: { value: 'mdwshare1a' } });
    await fireEvent.input(screen.getByTestId('guardian-threshold'), { target: { value: '2' } });
    await fireEvent.input(screen.getByTestId('guardian-label'), { target: { value: 'Ned' } });
    await fireEvent.input(screen.getByTestId('guardian-password'), { target: { value: 'patient password 1' } });
    await fireEvent.click(screen.getByTestId('guardians-save'));
    expect((await screen.findByRole('alert')).textContent).toContain('between 1 and that many');
    expect(backend.callsOf('set_guardians')).toHaveLength(0);
  });

  it('shows a pending recovery in red and cancels it after a confirmation', async () => {
    session.status = patientStatus;
    let view: GuardiansView = { ...SET, recovery: RECOVERY };
    const backend = mockBackend({
      settings: SETTINGS,
      erasures: [],
      guarding: [],
      guardians: () => view,
      cancel_recovery: () => {
        view = { ...SET, recovery: { ...RECOVERY, stage: 'cancelled' } };
        return view;
      },
    });
    render(Settings);
    const alert = await screen.findByTestId('recovery-pending');
    expect(alert.textContent).toContain('1a2b-3c4d-5e6f-7a8b-9c0d');
    expect(alert.textContent).toContain('If it was not you, cancel it now');
    await fireEvent.click(screen.getByTestId('recovery-cancel'));
    await fireEvent.click(screen.getByTestId('recovery-cancel-confirm'));
    await waitFor(() => expect(screen.queryByTestId('recovery-pending')).toBeNull());
    expect(backend.callsOf('cancel_recovery')).toHaveLength(1);
  });
});

describe('a guardian’s view', () => {
  const asked: GuardingItem = {
    patient: 'mdw1patient',
    label: 'Ned',
    threshold: 2,
    guardians: 3,
    approved: false,
    declined: false,
    released: false,
    asksApproval: true,
    recovery: RECOVERY,
    emergencyAccesses: [],
  };

  it('approves only with the code typed, and then says what happens next', async () => {
    session.status = { ...patientStatus, role: 'doctor' };
    const backend = mockBackend({
      settings: SETTINGS,
      guarding: [asked],
      answer_recovery: [
        { ...asked, approved: true, asksApproval: false, recovery: { ...RECOVERY, approvals: 2, stage: 'waiting_for_delay', effectiveAtMs: Date.UTC(2026, 11, 7) } },
      ],
    });
    render(Settings);
    const request = await screen.findByTestId('guardian-request');
    expect(request.textContent).toContain('Ned asks to recover their wallet');
    expect((screen.getByTestId('guardian-approve') as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.input(screen.getByTestId('guardian-device-code'), { target: { value: '1a2b-3c4d-5e6f-7a8b-9c0d' } });
    await fireEvent.click(screen.getByTestId('guardian-approve'));
    expect((await screen.findByTestId('guardian-answered')).textContent).toContain('Your share goes to their new device');
    expect(backend.callsOf('answer_recovery')[0].args).toEqual({
      patient: 'mdw1patient',
      deviceCode: '1a2b-3c4d-5e6f-7a8b-9c0d',
      approve: true,
    });
  });

  it('shows a clinician’s emergency access to the patient’s set in red, with its reason', async () => {
    session.status = { ...patientStatus, role: 'patient' };
    mockBackend({
      settings: SETTINGS,
      erasures: [],
      guardians: NONE,
      guarding: [
        {
          ...asked,
          asksApproval: false,
          recovery: null,
          emergencyAccesses: [
            {
              request: 'ab'.repeat(32),
              clinician: 'Dr. Grey',
              licence: 'MD-1',
              clinic: 'St Mary ED',
              reason: 'unconscious after a fall',
              atMs: Date.UTC(2026, 11, 7, 9),
              endsAtMs: Date.UTC(2026, 11, 8, 9),
              released: 3,
              threshold: 3,
              opened: true,
            },
          ],
        },
      ],
    });
    render(Settings);
    const alert = await screen.findByTestId('guardian-emergency');
    expect(alert.textContent).toContain('Emergency access to the emergency set of Ned');
    const entry = screen.getByTestId('emergency-access');
    expect(entry.textContent).toContain('Emergency access by Dr. Grey');
    expect(entry.textContent).toContain('St Mary ED, licence MD-1');
    expect(entry.textContent).toContain('Reason: “unconscious after a fall”');
    expect(entry.textContent).toContain('the clinician could open their emergency set');
    expect(screen.queryByTestId('guardian-request')).toBeNull();
  });

  it('declines without a code', async () => {
    session.status = { ...patientStatus, role: 'doctor' };
    const backend = mockBackend({
      settings: SETTINGS,
      guarding: [asked],
      answer_recovery: [{ ...asked, declined: true, asksApproval: false }],
    });
    render(Settings);
    await fireEvent.click(await screen.findByTestId('guardian-decline'));
    expect((await screen.findByTestId('guardian-answered')).textContent).toContain('You declined');
    expect(backend.callsOf('answer_recovery')[0].args).toEqual({ patient: 'mdw1patient', deviceCode: '', approve: false });
  });
});

describe('recovering on a new device', () => {
  it('asks, shows the device code and the progress, then takes the wallet back under new words', async () => {
    const words = Array.from({ length: 24 }, (_, i) => `word${i + 1}`);
    let stage = 'waiting_for_approvals';
    const status = () => ({
      account: 'mdw1patient',
      deviceCode: '1a2b-3c4d-5e6f-7a8b-9c0d',
      recovery: { ...RECOVERY, stage, approvals: stage === 'ready' ? 2 : 1, released: stage === 'ready' ? 2 : 0 },
    });
    const backend = mockBackend({
      start_recovery: status,
      recovering: status,
      finish_recovery: { accounts: 1, recordsRewrapped: 4, sharesMoved: 0, linksRevoked: 0, guardiansKept: 0, emergencySetKept: false, resumed: false, words, confirmPositions: [2] },
      confirm_backup: () => undefined,
    });
    let done = false;
    render(RecoverWallet, { ondone: () => (done = true), oncancel: () => {} });
    await fireEvent.input(screen.getByTestId('recovery-account'), { target: { value: ' mdw1patient ' } });
    const passwords = screen.getAllByLabelText(/password/i);
    for (const p of passwords) await fireEvent.input(p, { target: { value: 'device password 1' } });
    await fireEvent.click(screen.getByTestId('recovery-start'));
    expect((await screen.findByTestId('recovery-device-code')).textContent).toBe('1a2b-3c4d-5e6f-7a8b-9c0d');
    expect(screen.getByTestId('recovery-stage').textContent).toContain('1 of 2 guardians approved');
    expect(backend.callsOf('start_recovery')[0].args).toEqual({ account: 'mdw1patient', password: 'device password 1' });
    stage = 'ready';
    await fireEvent.click(screen.getByTestId('recovery-check'));
    await fireEvent.input(await screen.findByTestId('recovery-finish-password'), { target: { value: 'device password 1' } });
    await fireEvent.click(screen.getByTestId('recovery-finish'));
    expect((await screen.findByTestId('recovery-done')).textContent).toContain('Your old words no longer sign for you');
    await fireEvent.click(screen.getByTestId('words-written'));
    await fireEvent.input(screen.getByTestId('confirm-word'), { target: { value: 'word2' } });
    await fireEvent.click(screen.getByTestId('confirm-submit'));
    await waitFor(() => expect(done).toBe(true));
  });
});
