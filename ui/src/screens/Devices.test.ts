// Adding a device: the unlocked wallet shows a code and its QR, waits for the new device,
// then sends the wallet only with the check code typed from the new device and the password.
// Joining: the new device answers the code, shows its check code and takes the wallet when it
// arrives.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import JoinDevice from './JoinDevice.svelte';
import Settings from './Settings.svelte';
import { fail, mockBackend } from '../test/backend';
import { patientStatus } from '../test/fixtures';
import { session } from '../lib/session.svelte';
import type { DeviceOffer } from '../ipc/types';

const SETTINGS = { nodes: ['http://127.0.0.1:7001'], genesisPath: null, chainId: 'c', autoLockMinutes: 5, devnet: true };
const OFFER: DeviceOffer = {
  code: '31874-ocean-velvet-ranch',
  qrSvg: '<svg xmlns="http://www.w3.org/2000/svg"></svg>',
  expiresAtMs: Date.UTC(2026, 11, 7, 10, 10),
  answered: false,
};
const NO_GUARDIANS = { guardians: [], threshold: 0, delayMs: 0, label: null, recovery: null, minDelayMs: 5000, defaultDelayMs: 259_200_000 };
const type = (el: HTMLElement, value: string) => fireEvent.input(el, { target: { value } });

beforeEach(() => vi.useFakeTimers({ shouldAdvanceTime: true }));
afterEach(() => vi.useRealTimers());

describe('adding a device in Settings', () => {
  it('shows the code, waits for the answer, and sends only with the typed check code and password', async () => {
    session.status = patientStatus;
    let answered = false;
    const backend = mockBackend({
      settings: SETTINGS,
      erasures: [],
      guarding: [],
      guardians: NO_GUARDIANS,
      offer_device_join: OFFER,
      device_join_status: () => ({ ...OFFER, answered }),
      confirm_device_join: () => null,
    });
    render(Settings);
    await fireEvent.click(await screen.findByTestId('device-add'));
    expect((await screen.findByTestId('device-code')).textContent).toBe('31874-ocean-velvet-ranch');
    expect(screen.getByAltText('QR code of the device code')).toBeTruthy();
    // Nothing answered yet: still waiting after a poll.
    await vi.advanceTimersByTimeAsync(2_000);
    expect(screen.queryByTestId('device-answered')).toBeNull();
    answered = true;
    await vi.advanceTimersByTimeAsync(2_000);
    const form = await screen.findByTestId('device-answered');
    // This device never shows a check code of its own.
    expect(form.textContent).not.toMatch(/\d{3} \d{3}/);
    expect((screen.getByTestId('device-send') as HTMLButtonElement).disabled).toBe(true);
    await type(screen.getByTestId('device-check-code'), '482 913');
    await type(screen.getByTestId('device-password'), 'patient password 1');
    await fireEvent.click(screen.getByTestId('device-send'));
    expect((await screen.findByTestId('device-sent')).textContent).toContain('your new device holds your wallet');
    expect(backend.callsOf('confirm_device_join')[0].args).toEqual({
      password: 'patient password 1',
      checkCode: '482 913',
    });
  });

  it('ends the offer when the check code is not this device’s', async () => {
    session.status = patientStatus;
    mockBackend({
      settings: SETTINGS,
      erasures: [],
      guarding: [],
      guardians: NO_GUARDIANS,
      offer_device_join: { ...OFFER, answered: true },
      confirm_device_join: () =>
        fail('device_join', 'joining the device: that is not the check code this device shows: nothing was sent; start again'),
    });
    render(Settings);
    await fireEvent.click(await screen.findByTestId('device-add'));
    await type(await screen.findByTestId('device-check-code'), '000 000');
    await type(screen.getByTestId('device-password'), 'patient password 1');
    await fireEvent.click(screen.getByTestId('device-send'));
    const devices = screen.getByTestId('devices');
    expect((await within(devices).findByTestId('error')).textContent).toContain('nothing was sent');
    expect(screen.queryByTestId('device-answered')).toBeNull();
    expect(screen.getByTestId('device-add')).toBeTruthy();
  });
});

describe('joining from another device', () => {
  it('answers the code, shows the check code and takes the wallet when it arrives', async () => {
    let arrived = false;
    const backend = mockBackend({
      answer_device_join: { checkCode: '482 913', done: false, status: null },
      finish_device_join: () => ({ checkCode: '482 913', done: arrived, status: arrived ? patientStatus : null }),
      cancel_device_join: () => null,
    });
    const ondone = vi.fn();
    render(JoinDevice, { ondone, oncancel: vi.fn() });
    await type(screen.getByTestId('join-code'), ' 31874-ocean-velvet-ranch ');
    await type(screen.getByTestId('password'), 'new device password');
    await type(screen.getByTestId('password-confirm'), 'new device password');
    await fireEvent.click(screen.getByTestId('join-submit'));
    expect((await screen.findByTestId('join-check-code')).textContent).toBe('482 913');
    expect(backend.callsOf('answer_device_join')[0].args).toEqual({ code: '31874-ocean-velvet-ranch' });
    await vi.advanceTimersByTimeAsync(2_000);
    expect(ondone).not.toHaveBeenCalled();
    arrived = true;
    await vi.advanceTimersByTimeAsync(2_000);
    await waitFor(() => expect(ondone).toHaveBeenCalledWith(patientStatus));
    expect(backend.callsOf('finish_device_join').at(-1)?.args).toEqual({ password: 'new device password' });
  });

  it('reads the code from a picture of the QR, through the Rust reader', async () => {
    const backend = mockBackend({ read_join_qr: '31874-ocean-velvet-ranch' });
    // The webview decodes the picture; jsdom has no canvas, so its 2×1 pixels are given here.
    vi.stubGlobal('createImageBitmap', async () => ({ width: 2, height: 1, close: () => {} }));
    const getContext = vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue({
      drawImage: () => {},
      getImageData: () => ({ data: new Uint8ClampedArray([0, 0, 0, 255, 255, 255, 255, 255]) }),
    } as unknown as CanvasRenderingContext2D);
    render(JoinDevice, { ondone: vi.fn(), oncancel: vi.fn() });
    const file = new File([new Uint8Array([1, 2, 3])], 'qr.png', { type: 'image/png' });
    await fireEvent.change(screen.getByTestId('join-picture'), { target: { files: [file] } });
    await waitFor(() => expect((screen.getByTestId('join-code') as HTMLInputElement).value).toBe('31874-ocean-velvet-ranch'));
    expect(backend.callsOf('read_join_qr')[0].args).toEqual({ width: 2, height: 1, luma: [0, 255] });
    getContext.mockRestore();
    vi.unstubAllGlobals();
  });

  it('says when there is no camera, and the code can still be typed', async () => {
    mockBackend({});
    render(JoinDevice, { ondone: vi.fn(), oncancel: vi.fn() });
    await fireEvent.click(screen.getByTestId('join-scan'));
    expect((await screen.findByTestId('error')).textContent).toContain('type the code');
    expect(screen.queryByTestId('join-camera')).toBeNull();
  });

  it('says when no device offers the code', async () => {
    mockBackend({
      answer_device_join: () => fail('device_join', 'joining the device: no device offers that code'),
    });
    render(JoinDevice, { ondone: vi.fn(), oncancel: vi.fn() });
    await type(screen.getByTestId('join-code'), '00001-ocean-velvet-ranch');
    await type(screen.getByTestId('password'), 'new device password');
    await type(screen.getByTestId('password-confirm'), 'new device password');
    await fireEvent.click(screen.getByTestId('join-submit'));
    expect((await screen.findByTestId('error')).textContent).toContain('no device offers that code');
    expect(screen.queryByTestId('join-check-code')).toBeNull();
  });
});
