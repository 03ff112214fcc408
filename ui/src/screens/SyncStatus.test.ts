import { describe, expect, it } from 'vitest';
import { render, screen } from '@testing-library/svelte';
import SyncStatus from './SyncStatus.svelte';
import { mockBackend } from '../test/backend';
import { quietSync } from '../test/fixtures';

describe('SyncStatus', () => {
  it('lists the nodes with height and problem, the verified height and the last sync', async () => {
    mockBackend({
      sync_status: {
        ...quietSync,
        nodes: [
          { url: 'http://127.0.0.1:7001', height: 42, problem: null },
          { url: 'http://127.0.0.1:7003', height: null, problem: 'unreachable' },
        ],
      },
    });
    render(SyncStatus);
    const nodes = await screen.findAllByTestId('node-item');
    expect(nodes.map((n) => n.dataset.url)).toEqual(['http://127.0.0.1:7001', 'http://127.0.0.1:7003']);
    expect(nodes[0].textContent).toContain('height 42');
    expect(nodes[1].textContent).toContain('unreachable');
    expect(screen.getByTestId('verified-height').textContent).toBe('42');
    expect(screen.getByText('2 Jan 2024, 08:30')).toBeTruthy();
  });

  it('shows a progress bar while the Rust side reports a sync in progress', async () => {
    mockBackend({ sync_status: { ...quietSync, syncing: true, verifiedHeight: null, lastSyncMs: null } });
    render(SyncStatus);
    expect(await screen.findByTestId('sync-progress')).toBeTruthy();
    expect(screen.getByTestId('verified-height').textContent).toBe('Not verified yet');
    expect(screen.getByText('Never')).toBeTruthy();
  });
});
