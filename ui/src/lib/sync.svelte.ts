// Sync state shared by the app shell (red banner), Home (Sync button, progress, report) and the
// Sync status screen, so a sync started on one screen shows its progress on every other.
import { onSyncProgress, sync, syncStatus } from '../ipc/commands';
import type { AppError, SyncProgress, SyncReport, SyncStatus } from '../ipc/types';
import { noteError, refreshStatus } from './session.svelte';
import { t } from '../i18n/translate';

interface SyncState {
  status: SyncStatus | null;
  statusError: AppError | null;
  syncing: boolean;
  progress: SyncProgress | null;
  report: SyncReport | null;
  error: AppError | null;
}

export const syncState = $state<SyncState>({
  status: null,
  statusError: null,
  syncing: false,
  progress: null,
  report: null,
  error: null,
});

export async function refreshSyncStatus(): Promise<void> {
  try {
    syncState.status = await syncStatus();
    syncState.statusError = null;
  } catch (e) {
    syncState.statusError = noteError(e);
  }
}

/** Runs one sync; resolves to its report, or null if it failed (the error is in syncState). */
export async function runSync(): Promise<SyncReport | null> {
  if (syncState.syncing) return null;
  syncState.syncing = true;
  syncState.progress = null;
  syncState.error = null;
  try {
    const report = await sync();
    syncState.report = report;
    return report;
  } catch (e) {
    syncState.error = noteError(e);
    return null;
  } finally {
    syncState.syncing = false;
    syncState.progress = null;
    // A sync learns the verified height, node problems and this wallet's role on the ledger.
    await Promise.all([refreshSyncStatus(), refreshStatus()]);
  }
}

/** Subscribes to the Rust side's 'sync-progress' events; returns the unsubscribe function. */
export async function followSyncProgress(): Promise<() => void> {
  return onSyncProgress((p) => {
    syncState.progress = p.phase === 'done' ? null : p;
  });
}

/** Nodes caught lying, from the last status and the last sync report, without repeats. */
export function currentIncidents(): string[] {
  return [...new Set([...(syncState.status?.incidents ?? []), ...(syncState.report?.incidents ?? [])])];
}

/** "Checking the ledger…" / "Fetching records 3 of 10". */
export function progressLabel(p: SyncProgress | null): string {
  if (!p) return t('status.progress.starting');
  if (p.phase === 'header') return t('status.progress.header');
  if (p.phase === 'records') {
    return p.total ? t('status.progress.records', { done: p.done, total: p.total }) : t('status.progress.recordsUnknown');
  }
  return t('status.progress.done');
}

/** For tests and on lock: forget everything. */
export function resetSyncState(): void {
  syncState.status = null;
  syncState.statusError = null;
  syncState.syncing = false;
  syncState.progress = null;
  syncState.report = null;
  syncState.error = null;
}
