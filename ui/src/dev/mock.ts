// Browser preview without the Rust side: `npm run dev`, then open /dev/mock.html?state=patient
// (states: first-run, locked, patient, doctor, lying, empty). Only the dev server serves this
// page; the production build contains neither it nor its fake data.
import { mount } from 'svelte';
import { mockIPC } from '@tauri-apps/api/mocks';
import { emit } from '@tauri-apps/api/event';
import '../app.css';
import App from '../App.svelte';
import type { GrantItem, RecordItem, SyncStatus, WalletStatus } from '../ipc/types';
import { DEMO_BUNDLE, DEMO_RECORDS, DEMO_SERIES, DEMO_SHARED, DEMO_WORDS } from './demoData';

const state = new URLSearchParams(location.search).get('state') ?? 'patient';
const role = state === 'doctor' ? 'doctor' : 'patient';
let status: WalletStatus = {
  walletExists: state !== 'first-run',
  unlocked: !['first-run', 'locked'].includes(state),
  address: 'mdw1q8x3v0pnl5e7d2k9wz4c6r3m8s0t2y5u7h9j4f',
  shareCode: 'mdwshare1q8x3v0pnl5e7d2k9wz4c6r3m8s0t2y5u7h9j4fzz8k2',
  role,
  autoLockMinutes: 5,
  recovering: null,
};
let records: RecordItem[] = state === 'empty' ? [] : DEMO_RECORDS;
let grants: GrantItem[] = [
  { id: 'grant-7f3a', doctorAddress: 'mdw1doc9k2j4h5g6f7d8s9a0', doctorName: 'Dr. Eva Lind', scope: 'labs', expiresAtMs: Date.UTC(2026, 11, 31, 23, 59, 59), grantedHeight: 118, status: 'active' },
  { id: 'grant-11c0', doctorAddress: 'mdw1doc2b3n4m5q6w7e8r9t0', doctorName: null, scope: '3 records', expiresAtMs: Date.UTC(2024, 5, 30), grantedHeight: 64, status: 'expired' },
];
const syncStatus: SyncStatus = {
  nodes: [
    { url: 'http://127.0.0.1:7001', height: 131, problem: null },
    { url: 'http://127.0.0.1:7002', height: 131, problem: null },
    state === 'lying'
      ? { url: 'http://127.0.0.1:7003', height: null, problem: 'served a forged certificate' }
      : { url: 'http://127.0.0.1:7003', height: 130, problem: null },
  ],
  verifiedHeight: 131,
  lastSyncMs: Date.now() - 5 * 60_000,
  syncing: false,
  incidents: state === 'lying' ? ['http://127.0.0.1:7003 served invalid data: certificate signatures do not verify'] : [],
  equivocation: null,
};

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const reject = (code: string, message: string) => Promise.reject({ code, message });

mockIPC(
  async (cmd, args) => {
    const a = (args ?? {}) as Record<string, never>;
    switch (cmd) {
      case 'wallet_status':
        return status;
      case 'unlock':
        if (a.password !== 'password') return reject('wrong_password', 'Wrong password. (The mock password is "password".)');
        return (status = { ...status, unlocked: true });
      case 'lock':
        status = { ...status, unlocked: false };
        return null;
      case 'create_wallet':
        return { address: status.address, shareCode: status.shareCode, words: DEMO_WORDS, confirmPositions: [3, 11, 20] };
      case 'confirm_backup':
        return (a.answers as string[]).join(' ') === [3, 11, 20].map((p) => DEMO_WORDS[p - 1]).join(' ')
          ? ((status = { ...status, walletExists: true, unlocked: true }), null)
          : reject('backup_mismatch', 'These are not the words at those positions. Check what you wrote down.');
      case 'register_patient':
        return 120;
      case 'restore_wallet':
        return (status = { ...status, walletExists: true, unlocked: true });
      case 'my_card':
        return { address: status.address, shareCode: status.shareCode, qrSvg: DEMO_QR };
      case 'records':
        return records;
      case 'open_record': {
        const record = records.find((r) => r.id === a.id)!;
        return { record, fhir: JSON.stringify(DEMO_BUNDLE) };
      }
      case 'lab_series':
        return DEMO_SERIES;
      case 'search_records': {
        const q = String(a.query).trim().toLowerCase();
        const hits = records
          .filter((r) => q && r.title.toLowerCase().includes(q))
          .map((r) => ({ record: r, matches: [{ kind: 'title', text: r.title }] }));
        return { hits, titlesOnly: 0 };
      }
      case 'patient_summary':
        return {
          bundle: JSON.stringify({ resourceType: 'Bundle', type: 'document', entry: [] }),
          printable: '<!doctype html><title>Summary</title><p>Demo summary</p>',
          sections: ['Problems', 'Allergies and intolerances', 'Medications'].map((title, i) => ({
            key: ['problems', 'allergies', 'medications'][i],
            title,
            entries: [],
          })),
        };
      case 'sync': {
        for (let i = 0; i <= 4; i++) {
          await emit('sync-progress', { phase: i === 0 ? 'header' : 'records', done: i, total: 4, verifiedHeight: 131 });
          await wait(400);
        }
        records = DEMO_RECORDS;
        return { newRecords: 2, totalRecords: records.length, verifiedHeight: 131, keysShared: 1, unreadableFrom: [], incidents: syncStatus.incidents };
      }
      case 'sync_status':
        return syncStatus;
      case 'lookup_doctor':
        return { address: 'mdw1doc9k2j4h5g6f7d8s9a0', name: 'Eva Lind', licence: 'SE-448812', clinicAddress: 'mdw1clinic', clinicName: 'Riverside Family Clinic', verifiedHeight: 131 };
      case 'grant':
        return { grantId: 'grant-9e2d', height: 132, recordsShared: 4 };
      case 'grants':
        return grants;
      case 'revoke':
        grants = grants.map((g) => (g.id === a.grantId ? { ...g, status: 'revoked' as const } : g));
        return { height: 133, notice: 'Stops future access; copies already downloaded cannot be taken back.' };
      case 'access_log':
        return [
          { recordId: 'r2', recordTitle: 'Basic metabolic panel', doctorAddress: 'mdw1doc9k2j4h5g6f7d8s9a0', doctorName: 'Dr. Eva Lind', grantId: 'grant-7f3a', node: 'ed25519:7b1c9e0f3a2d4c6b8e0f1a3c5e7d9b1f', servedAtMs: Date.now() - 86_400_000, height: 125 },
        ];
      case 'shared_with_me':
        return DEMO_SHARED;
      case 'open_shared':
        return { record: { ...DEMO_RECORDS[1], id: a.recordId }, fhir: JSON.stringify(DEMO_BUNDLE) };
      case 'settings':
        return { nodes: syncStatus.nodes.map((n) => n.url), genesisPath: '/home/anna/.local/share/medwallet/genesis.json', chainId: 'medledger-devnet', autoLockMinutes: status.autoLockMinutes, devnet: true };
      case 'save_settings':
        status = { ...status, autoLockMinutes: a.autoLockMinutes };
        return { nodes: a.nodes, genesisPath: '/home/anna/.local/share/medwallet/genesis.json', chainId: 'medledger-devnet', autoLockMinutes: a.autoLockMinutes, devnet: true };
      case 'touch':
        return null;
      case 'guardians':
        return { guardians: [], threshold: 0, delayMs: 0, label: null, recovery: null, minDelayMs: 86_400_000, defaultDelayMs: 259_200_000 };
      case 'guarding':
        return [];
      default:
        return reject('internal', `mock: unknown command ${cmd}`);
    }
  },
  { shouldMockEvents: true },
);

// A stand-in QR (a fixed pattern), just to lay out the card; the real one comes from Rust.
const DEMO_QR = (() => {
  let cells = '';
  for (let y = 0; y < 25; y++)
    for (let x = 0; x < 25; x++)
      if ((x * 7 + y * 13 + x * y) % 5 < 2 || ((x < 7 || x > 17) && y < 7) || (x < 7 && y > 17))
        cells += `<rect x="${x}" y="${y}" width="1" height="1"/>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="-2 -2 29 29"><rect x="-2" y="-2" width="29" height="29" fill="#fff"/>${cells}</svg>`;
})();

mount(App, { target: document.getElementById('app')! });
