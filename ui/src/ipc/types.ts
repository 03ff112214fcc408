// The shapes the Rust side (crates/app, through src-tauri) sends and accepts. Field names are
// camelCase on the wire (serde rename_all = "camelCase"). Keys never cross: the UI gets
// addresses, share codes and, for the one record being viewed, its FHIR JSON.

/** Every failed command rejects with this; the UI branches on `code`. */
export interface AppError {
  code: ErrorCode;
  message: string;
}

export type ErrorCode =
  | 'no_wallet' // no wallet on this device yet
  | 'wallet_exists' // create/restore would overwrite a wallet
  | 'locked' // unlock first (also after auto-lock)
  | 'wrong_password'
  | 'invalid_input' // a field the user typed is malformed (message says which)
  | 'backup_mismatch' // the confirmed words do not match
  | 'network' // no node reachable / no node could serve a verified answer
  | 'refused' // the ledger or a node refused (message says why: revoked, expired, ...)
  | 'not_found'
  | 'storage' // local files could not be read or written
  | 'internal';

export type Role = 'patient' | 'doctor' | 'clinic' | 'unregistered' | 'unknown';

export interface WalletStatus {
  walletExists: boolean;
  unlocked: boolean;
  /** Present when unlocked. */
  address: string | null;
  shareCode: string | null;
  /** As verified from the ledger at the last sync ('unknown' offline). */
  role: Role;
  /** Minutes of inactivity before the wallet locks itself. */
  autoLockMinutes: number;
}

export interface CreatedWallet {
  address: string;
  shareCode: string;
  /** The 24 recovery words, shown once for the user to write down. */
  words: string[];
  /** 1-based positions the user must type back to confirm the backup. */
  confirmPositions: number[];
}

export interface Card {
  address: string;
  shareCode: string;
  /** A QR code of the share code, as an SVG document (made on the Rust side). */
  qrSvg: string;
}

export type Category =
  | 'labs'
  | 'conditions'
  | 'medications'
  | 'immunizations'
  | 'procedures'
  | 'reports'
  | 'encounter'
  | 'other';

export interface RecordItem {
  id: string;
  title: string;
  /** ISO date (YYYY-MM-DD or full timestamp) of the visit, if the clinic gave one. */
  date: string | null;
  category: Category;
  clinicAddress: string;
  /** The clinic's name as registered on the ledger (verified), or null if not yet known. */
  clinicName: string | null;
  issuedHeight: number;
  /** Height of the header this record's proof was checked against; null = not verified. */
  verifiedHeight: number | null;
  sizeBytes: number;
  /** Its ciphertext is on this device (opens offline). */
  cached: boolean;
}

export interface OpenedRecord {
  record: RecordItem;
  /** The decrypted FHIR R4 JSON, exactly as the clinic issued it. */
  fhir: string;
}

export interface SeriesPoint {
  date: string;
  value: number;
  recordId: string;
}

/** One lab test's values over time, across every record of this wallet that has it. */
export interface LabSeries {
  /** LOINC (or other) code. */
  code: string;
  display: string;
  unit: string | null;
  low: number | null;
  high: number | null;
  points: SeriesPoint[];
}

export interface SyncReport {
  newRecords: number;
  totalRecords: number;
  verifiedHeight: number;
  keysShared: number;
  incidents: string[];
}

export interface SyncProgress {
  phase: 'header' | 'records' | 'done';
  done: number;
  total: number;
  verifiedHeight: number | null;
}

export interface NodeState {
  url: string;
  /** Newest height this node served that verified; null if unreachable or lying. */
  height: number | null;
  /** Human-readable problem, if any ("unreachable", "served a forged certificate", ...). */
  problem: string | null;
}

export interface SyncStatus {
  nodes: NodeState[];
  verifiedHeight: number | null;
  /** Milliseconds since the epoch of the last completed sync. */
  lastSyncMs: number | null;
  syncing: boolean;
  /** Nodes caught lying or equivocating, named (red banner). */
  incidents: string[];
}

export interface Settings {
  nodes: string[];
  /** Path of the genesis file this wallet trusts (the chain's anchor). */
  genesisPath: string | null;
  chainId: string | null;
  autoLockMinutes: number;
  /** True when the app started its own local devnet. */
  devnet: boolean;
}

export interface DoctorInfo {
  address: string;
  name: string;
  licence: string;
  clinicAddress: string;
  clinicName: string;
  verifiedHeight: number;
}

export type GrantScope =
  | { kind: 'records'; ids: string[] }
  | { kind: 'category'; category: Category }
  | { kind: 'all' };

export interface GrantRequest {
  /** The doctor's share code (mdwshare1...) or address (mdw1...). */
  doctor: string;
  scope: GrantScope;
  /** RFC 3339 expiry, or null for none. */
  until: string | null;
}

export interface GrantResult {
  grantId: string;
  height: number;
  recordsShared: number;
}

export type GrantState = 'active' | 'revoked' | 'expired';

export interface GrantItem {
  id: string;
  doctorAddress: string;
  doctorName: string | null;
  /** Human description: "labs", "all records", "3 records". */
  scope: string;
  expiresAtMs: number | null;
  grantedHeight: number;
  status: GrantState;
}

export interface RevokeResult {
  height: number;
  /** "Stops future access; copies already downloaded cannot be taken back." */
  notice: string;
}

export interface AccessItem {
  recordId: string;
  recordTitle: string | null;
  doctorAddress: string;
  doctorName: string | null;
  grantId: string;
  /** Public key of the node that served the fetch and signed the receipt. */
  node: string;
  servedAtMs: number;
  /** Height of the receipt on the ledger (verified by proof). */
  height: number;
}

/** Doctor mode: a record a patient shared with this wallet. */
export interface SharedItem {
  patientAddress: string;
  grantId: string;
  recordId: string;
  category: Category;
  title: string;
  date: string | null;
  status: GrantState;
}
