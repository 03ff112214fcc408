// Every test starts from a blank IPC mock and a blank session (the session and sync state are
// module-level, shared by all components).
import { afterEach } from 'vitest';
import { clearMocks } from '@tauri-apps/api/mocks';
import { resetSession } from '../lib/session.svelte';
import { resetSyncState } from '../lib/sync.svelte';

afterEach(() => {
  clearMocks();
  resetSession();
  resetSyncState();
});
