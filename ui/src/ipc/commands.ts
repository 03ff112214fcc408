// Typed wrappers for every command of the desktop shell (src-tauri/src/commands.rs). Each
// rejects with an AppError ({ code, message }).
import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type {
  AccessItem,
  AppError,
  Card,
  ContactInput,
  ShareCodeItem,
  CreatedWallet,
  DeviceOffer,
  EmergencyRequestItem,
  EmergencyView,
  DoctorInfo,
  ErasedResult,
  ErasureItem,
  ExportResult,
  GrantItem,
  GrantRequest,
  GrantResult,
  GuardiansView,
  GuardingItem,
  JoinedDevice,
  LabSeries,
  LinkCreated,
  LinkItem,
  LinkRequest,
  OpenedEmergency,
  OpenedRecord,
  PatientSummary,
  ReceivedLink,
  RecordItem,
  RecordsArrived,
  SearchResults,
  RecoveringStatus,
  RevokeResult,
  RotatedWallet,
  SavedFile,
  SaveProgressItem,
  Settings,
  SharedItem,
  SyncProgress,
  SyncReport,
  SyncStatus,
  WalletStatus,
} from './types';

/** Normalises whatever a rejected invoke carries into an AppError. */
export function asAppError(e: unknown): AppError {
  if (e && typeof e === 'object' && 'code' in e && 'message' in e) {
    return e as AppError;
  }
  return { code: 'internal', message: String(e) };
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw asAppError(e);
  }
}

// Wallet and keys
export const walletStatus = () => call<WalletStatus>('wallet_status');
export const createWallet = (password: string) => call<CreatedWallet>('create_wallet', { password });
/** `answers[i]` is the word at `confirmPositions[i]`. */
export const confirmBackup = (answers: string[]) => call<void>('confirm_backup', { answers });
export const restoreWallet = (words: string, password: string) =>
  call<WalletStatus>('restore_wallet', { words, password });
export const unlock = (password: string) => call<WalletStatus>('unlock', { password });
export const lock = () => call<void>('lock');
/** Registers this wallet as a patient on the ledger (needed before clinics can issue to it). */
export const registerPatient = () => call<number>('register_patient');
export const myCard = () => call<Card>('my_card');
/** The patient's share codes, one per clinic (each a separate account of the wallet). */
export const shareCodes = () => call<ShareCodeItem[]>('share_codes');
/** A share code for one more clinic: a fresh account, registered on the ledger first. */
export const newShareCode = (label: string) => call<ShareCodeItem>('new_share_code', { label });

// Records
export const sync = () => call<SyncReport>('sync');
export const records = () => call<RecordItem[]>('records');
export const openRecord = (id: string) => call<OpenedRecord>('open_record', { id });
/** "My summary": the International Patient Summary (IPS) of the verified records. */
export const patientSummary = () => call<PatientSummary>('patient_summary');
/** Every record with its proofs, as a zip in the Downloads folder. */
export const exportRecords = () => call<ExportResult>('export_records');
/** A file record (an imaging study) saved, decrypted, to the Downloads folder. */
export const saveRecordFile = (id: string) => call<SavedFile>('save_record_file', { id });
/** Lab series for the observations in record `id`, across all of this wallet's records. */
export const labSeries = (id: string) => call<LabSeries[]>('lab_series', { id });
/** Records whose tests, conditions, medications (…) or title match `query`. */
export const searchRecords = (query: string) => call<SearchResults>('search_records', { query });
export const syncStatus = () => call<SyncStatus>('sync_status');
/** The user read the equivocation warning and goes on; resolves to whether there was one. */
export const acknowledgeEquivocation = () => call<boolean>('acknowledge_equivocation');
export const onSyncProgress = (f: (p: SyncProgress) => void): Promise<UnlistenFn> =>
  listen<SyncProgress>('sync-progress', (event) => f(event.payload));
/** A background sync (started by a node announcing a new block) found records. */
export const onSaveProgress = (f: (p: SaveProgressItem) => void): Promise<UnlistenFn> =>
  listen<SaveProgressItem>('save-progress', (event) => f(event.payload));
export const onRecordsArrived = (f: (news: RecordsArrived) => void): Promise<UnlistenFn> =>
  listen<RecordsArrived>('records-arrived', (event) => f(event.payload));

// Sharing
export const lookupDoctor = (doctor: string) => call<DoctorInfo>('lookup_doctor', { doctor });
export const grant = (request: GrantRequest) => call<GrantResult>('grant', { request });
export const grants = () => call<GrantItem[]>('grants');
export const revoke = (grantId: string) => call<RevokeResult>('revoke', { grantId });
export const accessLog = () => call<AccessItem[]>('access_log');

// SMART Health Links
export const createLink = (request: LinkRequest) => call<LinkCreated>('create_link', { request });
export const links = () => call<LinkItem[]>('links');
export const revokeLink = (id: string) => call<RevokeResult>('revoke_link', { id });
/** Opens a link someone shared, as `recipient` (the patient sees the name). */
export const openLink = (link: string, recipient: string, passcode: string | null) =>
  call<ReceivedLink>('open_link', { link, recipient, passcode });

// Keys for real people: erasure and rotation
export const eraseRecord = (id: string) => call<ErasedResult>('erase_record', { id });
export const erasures = () => call<ErasureItem[]>('erasures');
/** Moves every account to a new recovery phrase; its words come back once, to write down. */
export const rotateKeys = (password: string) => call<RotatedWallet>('rotate_keys', { password });

// Guardian recovery
/** The patient's emergency set and every access to it. */
export const emergency = () => call<EmergencyView>('emergency');
export const setEmergency = (contacts: ContactInput[]) => call<EmergencyView>('set_emergency', { contacts });
export const removeEmergency = () => call<EmergencyView>('remove_emergency');
/** What a clinician would read in the patient's emergency set (its FHIR Bundle), if any. */
export const emergencyPreview = () => call<string | null>('emergency_preview');
/** As a clinician: ask for the emergency set of the account whose code is `patient`. */
export const requestEmergency = (patient: string, reason: string) =>
  call<EmergencyRequestItem>('request_emergency', { patient, reason });
/** Rejects with `emergency_waiting` while too few validators released their shares. */
export const openEmergency = (request: string) => call<OpenedEmergency>('open_emergency', { request });
export const guardians = () => call<GuardiansView>('guardians');
/** The password unlocks the phrase the guardians' shares are split from. */
export const setGuardians = (password: string, codes: string[], threshold: number, delayMs: number, label: string) =>
  call<GuardiansView>('set_guardians', { password, codes, threshold, delayMs, label });
export const cancelRecovery = () => call<GuardiansView>('cancel_recovery');
/** The shares this wallet holds as a guardian (looking also releases those now due). */
export const guarding = () => call<GuardingItem[]>('guarding');
export const answerRecovery = (patient: string, deviceCode: string, approve: boolean) =>
  call<GuardingItem[]>('answer_recovery', { patient, deviceCode, approve });
/** On a fresh profile: ask the guardians of `account` to recover it to this device. */
// Devices: an unlocked wallet offers a code; a new device answers it and shows a check code,
// typed back on the unlocked one before the wallet is sent.
export const offerDeviceJoin = () => call<DeviceOffer>('offer_device_join');
export const deviceJoinStatus = () => call<DeviceOffer>('device_join_status');
export const confirmDeviceJoin = (password: string, checkCode: string) =>
  call<void>('confirm_device_join', { password, checkCode });
export const cancelDeviceJoin = () => call<void>('cancel_device_join');
/** The join code in greyscale pixels (a camera frame or a picture), as text. */
export const readJoinQr = (width: number, height: number, luma: number[]) =>
  call<string>('read_join_qr', { width, height, luma });
export const answerDeviceJoin = (code: string) => call<JoinedDevice>('answer_device_join', { code });
export const finishDeviceJoin = (password: string) => call<JoinedDevice>('finish_device_join', { password });

export const startRecovery = (account: string, password: string) =>
  call<RecoveringStatus>('start_recovery', { account, password });
export const recovering = () => call<RecoveringStatus>('recovering');
/** Takes the wallet back and moves it to a new phrase; its words come back once. */
export const finishRecovery = (password: string) => call<RotatedWallet>('finish_recovery', { password });

// Doctor mode
export const sharedWithMe = () => call<SharedItem[]>('shared_with_me');
/** Opens `recordId`, shared under `grantId` (both from `sharedWithMe`). */
/** Doctor mode: a shared file record (an imaging study) saved, decrypted, to Downloads. */
export const saveSharedFile = (grantId: string, recordId: string, name: string) =>
  call<SavedFile>('save_shared_file', { grantId, recordId, name });
export const openShared = (grantId: string, recordId: string) =>
  call<OpenedRecord>('open_shared', { grantId, recordId });

// Settings
export const settings = () => call<Settings>('settings');
export const saveSettings = (nodes: string[], autoLockMinutes: number) =>
  call<Settings>('save_settings', { nodes, autoLockMinutes });

/** The Rust side locked the wallet (idle timeout or lock button in another view). */
export const onLocked = (f: () => void): Promise<UnlistenFn> => listen('wallet-locked', () => f());
/** Tells the Rust side the user is active (resets the idle auto-lock timer). */
export const touch = () => call<void>('touch');
