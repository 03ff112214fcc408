import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import MyCard from './MyCard.svelte';
import { mockBackend } from '../test/backend';

const SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>';

describe('MyCard', () => {
  it('shows address, share code and the QR image as a data URL', async () => {
    mockBackend({ my_card: { address: 'mdw1patientaddress', shareCode: 'mdwshare1patientsharecode', qrSvg: SVG } });
    render(MyCard);
    expect((await screen.findByTestId('my-address')).textContent).toBe('mdw1patientaddress');
    expect(screen.getByTestId('my-share-code').textContent).toBe('mdwshare1patientsharecode');
    const img = screen.getByTestId('qr-code') as HTMLImageElement;
    expect(img.getAttribute('src')).toBe(`data:image/svg+xml;base64,${btoa(SVG)}`);
  });

  it('copies the share code and says so', async () => {
    const writeText = vi.fn(async () => {});
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    mockBackend({ my_card: { address: 'mdw1a', shareCode: 'mdwshare1code', qrSvg: SVG } });
    render(MyCard);
    await fireEvent.click(await screen.findByTestId('copy-share-code'));
    expect(writeText).toHaveBeenCalledWith('mdwshare1code');
    await waitFor(() => expect(screen.getByTestId('copy-share-code').textContent).toBe('Copied'));
  });
});
