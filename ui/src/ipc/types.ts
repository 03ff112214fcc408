// The shapes the Rust side (crates/medwallet-app, through src-tauri) sends and accepts,
// generated from its views and errors by ts-rs into generated.ts: a Rust test fails when that
// file no longer matches, so the two sides cannot drift (`make ipc-types` regenerates it).
// Field names are camelCase on the wire. Keys never cross: the UI gets addresses, share codes
// and, for the one record being viewed, its FHIR JSON.
export type * from './generated';
