// Generated from crates/medwallet-app (views.rs, error.rs) by ts-rs: do not edit.
// Regenerate with `make ipc-types`; a Rust test fails when this file is stale.

export type ErrorCode = "no_wallet" | "wallet_exists" | "locked" | "wrong_password" | "invalid_input" | "backup_mismatch" | "network" | "refused" | "not_found" | "storage" | "equivocation" | "link_passcode" | "emergency_waiting" | "device_join" | "wallet_in_use" | "is_a_file" | "internal";

export type AppError = { code: ErrorCode, message: string, };

export type Role = "patient" | "doctor" | "clinic" | "unregistered" | "unknown";

export type Category = "labs" | "vital-signs" | "conditions" | "medications" | "allergies" | "immunizations" | "procedures" | "reports" | "encounter" | "other";

export type GrantState = "active" | "revoked" | "expired";

export type SyncPhase = "header" | "records" | "done";

export type WalletStatus = { walletExists: boolean, unlocked: boolean, 
/**
 * Present when unlocked.
 */
address: string | null, shareCode: string | null, 
/**
 * As verified from the ledger (`unknown` offline).
 */
role: Role, 
/**
 * Minutes of inactivity before the wallet locks itself.
 */
autoLockMinutes: number, 
/**
 * This device is recovering that account (`mdw1…`) with its guardians.
 */
recovering: string | null, };

export type CreatedWallet = { address: string, shareCode: string, 
/**
 * Shown once so the user can write them down; the only secret that reaches the UI.
 */
words: Array<string>, confirmPositions: Array<number>, };

export type Card = { address: string, shareCode: string, 
/**
 * A QR code of the share code, as an SVG document.
 */
qrSvg: string, };

export type ShareCodeItem = { 
/**
 * The account's index in the wallet.
 */
account: number, 
/**
 * Who the patient made it for (kept in the wallet only; empty if found on restore).
 */
label: string, shareCode: string, address: string, 
/**
 * The share code as a QR code (SVG).
 */
qrSvg: string, };

export type RecordItem = { id: string, title: string, 
/**
 * ISO date (YYYY-MM-DD or full timestamp) of the visit, if the clinic gave one.
 */
date: string | null, category: Category, clinicAddress: string, 
/**
 * The clinic's name as registered on the ledger (verified), or null if not yet known.
 */
clinicName: string | null, issuedHeight: number, 
/**
 * Height of the header this record's proof was checked against; null = not verified.
 */
verifiedHeight: number | null, sizeBytes: number, 
/**
 * Its ciphertext is on this device (opens offline).
 */
cached: boolean, 
/**
 * Its key is not wrapped to this wallet: it is listed with its clinic, and cannot be opened.
 */
unreadable: boolean, 
/**
 * The patient erased it: only that it existed is kept (here and on the ledger).
 */
erased: boolean, 
/**
 * The visit it was split from (records of one visit share it), if any.
 */
visit: VisitItem | null, 
/**
 * It is a file (an imaging study), saved rather than shown; null for FHIR.
 */
file: FileItem | null, };

export type VisitItem = { id: string, title: string, };

export type OpenedRecord = { record: RecordItem, 
/**
 * The decrypted FHIR R4 JSON, exactly as the clinic issued it.
 */
fhir: string, };

export type PatientSummary = { 
/**
 * The IPS document Bundle (FHIR R4 JSON), built in the wallet.
 */
bundle: string, 
/**
 * The same summary as an HTML page to print.
 */
printable: string, sections: Array<SummarySectionItem>, };

export type SummarySectionItem = { 
/**
 * `problems`, `allergies`, `medications`, `immunizations`, `results`, `vital-signs`,
 * `procedures`, `past-problems`.
 */
key: string, title: string, 
/**
 * Empty for a required section with nothing in it (the IPS then says why).
 */
entries: Array<SummaryEntryItem>, };

export type SummaryEntryItem = { 
/**
 * The entry's `fullUrl` in the bundle.
 */
fullUrl: string, recordId: string, 
/**
 * The issuing clinic's verified name (its address if it has none).
 */
clinic: string, verifiedHeight: number, };

export type SeriesPoint = { date: string, 
/**
 * In the series' unit.
 */
value: number, recordId: string, 
/**
 * The value and unit as the record has them, when converted into the series' unit.
 */
asRecorded: string | null, };

export type LabSeries = { code: string, display: string, unit: string | null, 
/**
 * The unit's UCUM code, when the records code it in UCUM. A test with values in units
 * that do not convert (mg/dL and mmol/L) has one series per unit.
 */
ucum: string | null, low: number | null, high: number | null, points: Array<SeriesPoint>, };

export type RecordsArrived = { count: number, 
/**
 * Their clinics, by verified name where known (else a short address), each once.
 */
from: Array<string>, };

export type SearchResults = { hits: Array<SearchHit>, 
/**
 * Records whose content is not on this device (not kept offline, or not readable by this
 * wallet): searched by title only.
 */
titlesOnly: number, };

export type SearchHit = { record: RecordItem, 
/**
 * What matched: `title`, or the kind of a name in the record (`test`, `condition`,
 * `medication`, `allergy`, `procedure`, `vaccine`, `report`, `visit`), with the name.
 */
matches: Array<SearchMatch>, };

export type SearchMatch = { kind: string, text: string, };

export type SyncReport = { newRecords: number, totalRecords: number, verifiedHeight: number, keysShared: number, 
/**
 * Records whose key is not wrapped to this wallet (kept, never opened), by clinic name or
 * address.
 */
unreadableFrom: Array<string>, incidents: Array<string>, };

export type SyncProgress = { phase: SyncPhase, done: number, total: number, verifiedHeight: number | null, };

export type NodeState = { url: string, 
/**
 * Newest height this node served that verified; null if unreachable or lying.
 */
height: number | null, 
/**
 * What is wrong with it, for people, if anything.
 */
problem: string | null, };

export type SyncStatus = { nodes: Array<NodeState>, verifiedHeight: number | null, 
/**
 * Milliseconds since the epoch of the last completed sync.
 */
lastSyncMs: number | null, syncing: boolean, 
/**
 * Nodes caught lying or equivocating, named (the red banner).
 */
incidents: Array<string>, 
/**
 * Proven equivocation not acknowledged yet: what happened and what to do. While it is
 * set, no new ledger data is shown (every ledger operation fails with `equivocation`).
 */
equivocation: string | null, };

export type Settings = { nodes: Array<string>, genesisPath: string | null, chainId: string | null, autoLockMinutes: number, devnet: boolean, };

export type DoctorInfo = { address: string, name: string, licence: string, clinicAddress: string, clinicName: string, verifiedHeight: number, };

export type GrantScope = { "kind": "records", ids: Array<string>, } | { "kind": "category", category: Category, } | { "kind": "all" };

export type GrantRequest = { 
/**
 * The doctor's share code (mdwshare1...) or address (mdw1...).
 */
doctor: string, scope: GrantScope, 
/**
 * RFC 3339 expiry, or null for none.
 */
until: string | null, 
/**
 * How the doctor is to know the patient (sealed to the doctor); empty for none.
 */
label: string, };

export type GrantResult = { grantId: string, height: number, recordsShared: number, };

export type GrantItem = { id: string, doctorAddress: string, doctorName: string | null, scope: string, expiresAtMs: number | null, grantedHeight: number, status: GrantState, };

export type RevokeResult = { height: number, notice: string, };

export type AccessItem = { recordId: string, recordTitle: string | null, doctorAddress: string, doctorName: string | null, grantId: string, 
/**
 * The account of the node that served the fetch and signed the receipt.
 */
node: string, servedAtMs: number, 
/**
 * Height of the receipt on the ledger (verified by proof).
 */
height: number, };

export type SharedItem = { 
/**
 * The patient's account that made the grant (one of theirs: a patient has one per clinic).
 */
patientAddress: string, 
/**
 * The same for all of one patient's grants to this doctor: group by it.
 */
patientHandle: string, 
/**
 * How the patient asked to be known (may be empty).
 */
patientLabel: string, grantId: string, recordId: string, category: Category, title: string, date: string | null, status: GrantState, 
/**
 * It is a file (an imaging study), saved rather than shown; null for FHIR.
 */
file: FileItem | null, };

export type LinkSelection = { "kind": "records", ids: Array<string>, } | { "kind": "categories", categories: Array<Category>, } | { "kind": "all" } | { "kind": "summary" };

export type LinkRequest = { selection: LinkSelection, label: string | null, 
/**
 * RFC 3339; 7 days from now when blank.
 */
expires: string | null, 
/**
 * Typed by the patient, handed to the receiver separately.
 */
passcode: string | null, longTerm: boolean, };

export type LinkCreated = { id: string, 
/**
 * `shlink:/…`, for apps that read SMART Health Links.
 */
link: string, 
/**
 * The link as a QR code (SVG).
 */
qrSvg: string, 
/**
 * The viewer page with the link in its fragment, for a browser.
 */
viewerUrl: string, height: number, files: Array<string>, };

export type LinkState = "active" | "revoked" | "expired" | "exhausted";

export type LinkAccessOutcome = "opened" | "wrong-passcode";

export type LinkAccessItem = { outcome: LinkAccessOutcome, 
/**
 * The name the receiver gave.
 */
recipient: string | null, 
/**
 * "node 2" (its place in the validator set), or its address.
 */
node: string, atMs: number, height: number, };

export type LinkItem = { id: string, label: string | null, link: string | null, viewerUrl: string | null, 
/**
 * What it shares, in words.
 */
shared: string, status: LinkState, expiresAtMs: number, passcode: boolean, attemptsLeft: number, longTerm: boolean, createdHeight: number, accesses: Array<LinkAccessItem>, };

export type ReceivedLink = { label: string | null, files: Array<string>, };

export type ExportResult = { path: string, bytes: number, records: number, };

export type FileItem = { 
/**
 * Its MIME type (`application/dicom`).
 */
contentType: string, name: string, sizeBytes: number, };

export type SavedFile = { path: string, sizeBytes: number, };

export type SaveProgressItem = { id: string, 
/**
 * `downloading`, then `opening`.
 */
stage: SaveStage, done: number, of: number, };

export type SaveStage = "downloading" | "opening";

export type ErasedResult = { records: number, 
/**
 * Links that may have held the record, revoked first.
 */
linksRevoked: number, height: number, 
/**
 * What erasing does and does not do, in words.
 */
notice: string, };

export type DeletionItem = { 
/**
 * "node 2" for the genesis' second validator.
 */
node: string, atMs: number, height: number, };

export type ErasureItem = { recordId: string, account: number, erasedAtMs: number, erasedHeight: number, deletedBy: Array<DeletionItem>, 
/**
 * How many validators' nodes there are (each deletes its copy).
 */
nodes: number, };

export type RotatedWallet = { accounts: number, recordsRewrapped: number, sharesMoved: number, linksRevoked: number, 
/**
 * Guardians named again with shares of the new phrase.
 */
guardiansKept: number, 
/**
 * The emergency set sealed again under the new keys.
 */
emergencySetKept: boolean, resumed: boolean, 
/**
 * The new recovery phrase: shown once so the user can write it down.
 */
words: Array<string>, confirmPositions: Array<number>, };

export type RecoveryItem = { 
/**
 * The account being recovered (`mdw1…`).
 */
account: string, 
/**
 * What the patient reads out to the guardians from the new device.
 */
deviceCode: string, 
/**
 * `waiting_for_approvals`, `waiting_for_delay`, `waiting_for_shares`, `ready`,
 * `cancelled` or `completed`.
 */
stage: string, approvals: number, declines: number, threshold: number, guardians: number, startedAtMs: number, effectiveAtMs: number | null, released: number, };

export type GuardianItem = { address: string, 
/**
 * A clinic's or doctor's registered name; none for a person.
 */
name: string | null, };

export type GuardiansView = { guardians: Array<GuardianItem>, threshold: number, delayMs: number, label: string | null, 
/**
 * The latest recovery of this wallet (pending ones need the patient's attention).
 */
recovery: RecoveryItem | null, 
/**
 * The shortest delay this chain allows (its genesis says).
 */
minDelayMs: number, 
/**
 * What the wallet proposes: 72 hours, or the chain's least if longer.
 */
defaultDelayMs: number, };

export type GuardingItem = { 
/**
 * The patient's account (`mdw1…`).
 */
patient: string, 
/**
 * How the patient asked to be known.
 */
label: string, threshold: number, guardians: number, approved: boolean, declined: boolean, released: boolean, 
/**
 * A pending recovery this guardian has not answered.
 */
asksApproval: boolean, recovery: RecoveryItem | null, 
/**
 * Every emergency access to the patient's set, newest first (shown in red).
 */
emergencyAccesses: Array<EmergencyAccessItem>, };

export type RecoveringStatus = { account: string, 
/**
 * This device's code, to read out to the guardians.
 */
deviceCode: string, 
/**
 * The recovery as the ledger proves it (none until the request is final).
 */
recovery: RecoveryItem | null, };

export type ContactInput = { name: string, relationship: string, phone: string, };

export type EmergencySetItem = { 
/**
 * The code for the emergency card (`mdw1…`).
 */
code: string, setAtMs: number, threshold: number, validators: number, };

export type EmergencyAccessItem = { request: string, clinician: string, licence: string, clinic: string, 
/**
 * `None`: the reason does not open with this wallet's keys.
 */
reason: string | null, atMs: number, endsAtMs: number, released: number, threshold: number, 
/**
 * Enough validators released their shares for the clinician to open the set.
 */
opened: boolean, };

export type EmergencyView = { set: EmergencySetItem | null, accesses: Array<EmergencyAccessItem>, };

export type EmergencyRequestItem = { request: string, patient: string, atMs: number, endsAtMs: number, released: number, threshold: number, };

export type OpenedEmergency = { request: EmergencyRequestItem, fhir: string, refused: Array<string>, };

export type DeviceOffer = { 
/**
 * What the person types on the new device ("31874-ocean-velvet-ranch").
 */
code: string, 
/**
 * The code as a QR code (SVG).
 */
qrSvg: string, expiresAtMs: number, 
/**
 * A device answered and proved it holds the code: ask the person for the check code it
 * shows (this device never shows its own, so it cannot just be copied across).
 */
answered: boolean, };

export type JoinedDevice = { 
/**
 * The code to compare with the unlocked device's.
 */
checkCode: string, 
/**
 * The wallet arrived and this device holds it now.
 */
done: boolean, status: WalletStatus | null, };
