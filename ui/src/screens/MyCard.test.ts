import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import MyCard from './MyCard.svelte';
import { mockBackend } from '../test/backend';

const SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>';

const CODES = [{ account: 0, label: '', shareCode: 'mdwshare1first', address: 'mdw1first', qrSvg: SVG }];

describe('MyCard', () => {
  it('shows address, share code and the QR image as a data URL', async () => {
    mockBackend({ my_card: { address: 'mdw1patientaddress', shareCode: 'mdwshare1patientsharecode', qrSvg: SVG }, share_codes: CODES });
    render(MyCard);
    expect((await screen.findByTestId('my-address')).textContent).toBe('mdw1patientaddress');
    expect(screen.getByTestId('my-share-code').textContent).toBe('mdwshare1patientsharecode');
    const img = screen.getByTestId('qr-code') as HTMLImageElement;
    expect(img.getAttribute('src')).toBe(`data:image/svg+xml;base64,${btoa(SVG)}`);
  });

  it('copies the share code and says so', async () => {
    const writeText = vi.fn(async () => {});
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    mockBackend({ my_card: { address: 'mdw1a', shareCode: 'mdwshare1code', qrSvg: SVG }, share_codes: CODES });
    render(MyCard);
    await fireEvent.click(await screen.findByTestId('copy-share-code'));
    expect(writeText).toHaveBeenCalledWith('mdwshare1code');
    await waitFor(() => expect(screen.getByTestId('copy-share-code').textContent).toBe('Copied'));
  });

  it('makes a code of its own for a new clinic and lists it', async () => {
    const made = { account: 1, label: 'Harbour clinic', shareCode: 'mdwshare1second', address: 'mdw1second', qrSvg: SVG };
    const backend = mockBackend({
      my_card: { address: 'mdw1a', shareCode: 'mdwshare1first', qrSvg: SVG },
      share_codes: CODES,
      new_share_code: ({ label }) => ({ ...made, label }),
    });
    render(MyCard);
    expect(await screen.findAllByTestId('clinic-code')).toHaveLength(1);
    await fireEvent.input(screen.getByTestId('clinic-code-label'), { target: { value: 'Harbour clinic' } });
    await fireEvent.click(screen.getByTestId('new-clinic-code'));
    expect((await screen.findByTestId('new-share-code')).textContent).toBe('mdwshare1second');
    expect(backend.callsOf('new_share_code')[0].args).toEqual({ label: 'Harbour clinic' });
    expect(screen.getAllByTestId('clinic-code')).toHaveLength(2);
    expect(screen.getByTestId('new-code-result').textContent).toContain('for Harbour clinic');
  });
});
