import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/svelte';
import Settings from './Settings.svelte';
import { fail, mockBackend } from '../test/backend';
import type { Settings as SettingsT } from '../ipc/types';

const CURRENT: SettingsT = {
  nodes: ['http://127.0.0.1:7001', 'http://127.0.0.1:7002'],
  genesisPath: '/home/me/.medwallet/genesis.json',
  chainId: 'medledger-devnet-1',
  autoLockMinutes: 5,
  devnet: true,
};

describe('Settings', () => {
  it('shows the current settings and the chain', async () => {
    mockBackend({ settings: CURRENT });
    render(Settings);
    expect(await screen.findByText('medledger-devnet-1')).toBeTruthy();
    expect((screen.getByTestId('settings-nodes') as HTMLTextAreaElement).value).toBe('http://127.0.0.1:7001\nhttp://127.0.0.1:7002');
    expect((screen.getByTestId('settings-autolock') as HTMLInputElement).value).toBe('5');
    expect(screen.getByText('/home/me/.medwallet/genesis.json')).toBeTruthy();
    expect(screen.getByTestId('settings-devnet').textContent).toMatch(/^Yes/);
  });

  it('saves one node per line and the auto-lock minutes', async () => {
    const b = mockBackend({ settings: CURRENT, save_settings: ({ nodes, autoLockMinutes }) => ({ ...CURRENT, nodes, autoLockMinutes }) });
    render(Settings);
    await screen.findByText('medledger-devnet-1');
    await fireEvent.input(screen.getByTestId('settings-nodes'), { target: { value: ' http://10.0.0.1:7001 \n\nhttps://node.example:443\n' } });
    await fireEvent.input(screen.getByTestId('settings-autolock'), { target: { value: '15' } });
    await fireEvent.click(screen.getByTestId('settings-save'));
    expect(await screen.findByTestId('settings-saved')).toBeTruthy();
    expect(b.callsOf('save_settings')[0].args).toEqual({ nodes: ['http://10.0.0.1:7001', 'https://node.example:443'], autoLockMinutes: 15 });
  });

  it('checks the form before saving, and shows the Rust side’s refusal in place', async () => {
    const b = mockBackend({ settings: CURRENT, save_settings: () => fail('invalid_input', 'node URL is malformed: http://node:99999') });
    render(Settings);
    await screen.findByText('medledger-devnet-1');
    await fireEvent.input(screen.getByTestId('settings-nodes'), { target: { value: 'not a url' } });
    await fireEvent.click(screen.getByTestId('settings-save'));
    expect(screen.getByTestId('error').textContent).toContain('not a url');
    expect(b.callsOf('save_settings')).toHaveLength(0);
    await fireEvent.input(screen.getByTestId('settings-nodes'), { target: { value: 'http://node:99999' } });
    await fireEvent.click(screen.getByTestId('settings-save'));
    expect((await screen.findByTestId('error')).textContent).toContain('node URL is malformed');
  });
});
