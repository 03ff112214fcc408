import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import EquivocationBanner from './EquivocationBanner.svelte';
import { mockBackend } from '../test/backend';

describe('the equivocation banner', () => {
  it('says what happened and acknowledges it on request', async () => {
    const backend = mockBackend({
      acknowledge_equivocation: true,
      sync_status: { nodes: [], verifiedHeight: 9, lastSyncMs: null, syncing: false, incidents: [], equivocation: null },
    });
    render(EquivocationBanner, {
      warning: 'equivocation at height 9: http://a and http://b serve different finalized blocks. Tell the clinics…',
    });
    const banner = screen.getByTestId('equivocation-banner');
    expect(banner.textContent).toContain('http://a');
    expect(banner.textContent).toContain('paused');
    await fireEvent.click(screen.getByTestId('acknowledge-equivocation'));
    await waitFor(() => expect(backend.callsOf('acknowledge_equivocation')).toHaveLength(1));
    await waitFor(() => expect(backend.callsOf('sync_status')).toHaveLength(1));
  });

  it('is not shown without a pending equivocation', () => {
    render(EquivocationBanner, { warning: null });
    expect(screen.queryByTestId('equivocation-banner')).toBeNull();
  });
});
