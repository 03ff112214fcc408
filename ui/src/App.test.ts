import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import App from './App.svelte';
import { emitFromRust, fail, mockBackend } from './test/backend';
import { RECORDS, SHARED, doctorStatus, lockedStatus, patientStatus, quietSync } from './test/fixtures';

const lying = {
  ...quietSync,
  nodes: [
    { url: 'http://127.0.0.1:7001', height: 42, problem: null },
    { url: 'http://127.0.0.1:7002', height: null, problem: 'served a forged certificate' },
  ],
  incidents: ['http://127.0.0.1:7002 served invalid data: forged certificate signature'],
};

describe('App shell', () => {
  it('shows the welcome screen when there is no wallet', async () => {
    mockBackend({ wallet_status: { ...lockedStatus, walletExists: false } });
    render(App);
    expect(await screen.findByTestId('create-wallet')).toBeTruthy();
    expect(screen.getByTestId('restore-wallet')).toBeTruthy();
    await fireEvent.click(screen.getByTestId('create-wallet'));
    expect(screen.getByTestId('create-submit')).toBeTruthy();
  });

  it('shows the unlock screen for a locked wallet and the app after unlocking', async () => {
    mockBackend({ wallet_status: lockedStatus, unlock: patientStatus, records: RECORDS, sync_status: quietSync, touch: null });
    render(App);
    await fireEvent.input(await screen.findByTestId('unlock-password'), { target: { value: 'my password' } });
    await fireEvent.click(screen.getByTestId('unlock-submit'));
    expect(await screen.findByTestId('nav-home')).toBeTruthy();
    expect(screen.queryByTestId('nav-shared')).toBeNull();
    expect(await screen.findAllByTestId('record-item')).toHaveLength(4);
  });

  it('shows the red banner naming the lying node on every screen', async () => {
    mockBackend({ wallet_status: patientStatus, records: RECORDS, sync_status: lying, my_card: { address: 'a', shareCode: 's', qrSvg: '<svg/>' } });
    render(App);
    const banner = await screen.findByTestId('lying-banner');
    expect(banner.textContent).toContain('Node http://127.0.0.1:7002 was caught lying: served invalid data: forged certificate signature');
    await fireEvent.click(screen.getByTestId('nav-card'));
    expect(screen.getByTestId('lying-banner')).toBeTruthy();
    await fireEvent.click(screen.getByTestId('nav-sync'));
    const nodes = await screen.findAllByTestId('node-item');
    expect(nodes[1].textContent).toContain('served a forged certificate');
    expect(screen.getByTestId('lying-banner')).toBeTruthy();
  });

  it('shows no banner when no node lied', async () => {
    mockBackend({ wallet_status: patientStatus, records: RECORDS, sync_status: quietSync });
    render(App);
    await screen.findAllByTestId('record-item');
    await waitFor(() => expect(screen.queryByTestId('lying-banner')).toBeNull());
  });

  it('goes to the unlock screen when the Rust side locks the wallet', async () => {
    mockBackend({ wallet_status: patientStatus, records: RECORDS, sync_status: quietSync });
    render(App);
    await screen.findByTestId('nav-home');
    await emitFromRust('wallet-locked');
    expect(await screen.findByTestId('unlock-password')).toBeTruthy();
    expect(screen.queryByTestId('nav-home')).toBeNull();
  });

  it('goes to the unlock screen when a command answers "locked"', async () => {
    mockBackend({ wallet_status: patientStatus, records: () => fail('locked', 'The wallet is locked.'), sync_status: quietSync });
    render(App);
    expect(await screen.findByTestId('unlock-password')).toBeTruthy();
  });

  it('locks with the sidebar button', async () => {
    const b = mockBackend({ wallet_status: patientStatus, records: RECORDS, sync_status: quietSync, lock: null });
    render(App);
    await fireEvent.click(await screen.findByTestId('lock-button'));
    expect(await screen.findByTestId('unlock-password')).toBeTruthy();
    expect(b.callsOf('lock')).toHaveLength(1);
  });

  it('shows "Shared with me" instead of Home for a doctor', async () => {
    mockBackend({ wallet_status: doctorStatus, shared_with_me: SHARED, sync_status: quietSync });
    render(App);
    expect(await screen.findByTestId('nav-shared')).toBeTruthy();
    expect(screen.queryByTestId('nav-home')).toBeNull();
    expect(await screen.findAllByTestId('shared-item')).toHaveLength(3);
  });

  it('learns the role after an unlock that could not wait for the nodes', async () => {
    let statusCalls = 0;
    const b = mockBackend({
      wallet_status: () => (statusCalls++ === 0 ? lockedStatus : doctorStatus),
      unlock: { ...doctorStatus, role: 'unknown' },
      records: [],
      shared_with_me: SHARED,
      sync_status: quietSync,
      touch: null,
    });
    render(App);
    await fireEvent.input(await screen.findByTestId('unlock-password'), { target: { value: 'my password' } });
    await fireEvent.click(screen.getByTestId('unlock-submit'));
    expect(await screen.findByTestId('nav-shared')).toBeTruthy();
    expect(screen.queryByTestId('nav-home')).toBeNull();
    expect(b.callsOf('wallet_status')).toHaveLength(2);
  });

  it('tells the Rust side about activity, at most every 30 seconds', async () => {
    const now = vi.spyOn(Date, 'now');
    now.mockReturnValue(1_000_000);
    const b = mockBackend({ wallet_status: patientStatus, records: RECORDS, sync_status: quietSync, touch: null });
    render(App);
    await screen.findByTestId('nav-home');
    await fireEvent.keyDown(window, { key: 'a' });
    await fireEvent.pointerDown(window);
    expect(b.callsOf('touch')).toHaveLength(1);
    now.mockReturnValue(1_031_000);
    await fireEvent.keyDown(window, { key: 'b' });
    expect(b.callsOf('touch')).toHaveLength(2);
    now.mockRestore();
  });

  it('shows a start-up failure with a way to retry', async () => {
    let fails = true;
    mockBackend({
      wallet_status: () => (fails ? fail('storage', 'Cannot read the wallet file.') : { ...lockedStatus, walletExists: false }),
    });
    render(App);
    expect((await screen.findByTestId('error')).textContent).toContain('Cannot read the wallet file.');
    fails = false;
    await fireEvent.click(screen.getByText('Try again'));
    expect(await screen.findByTestId('create-wallet')).toBeTruthy();
  });
});
