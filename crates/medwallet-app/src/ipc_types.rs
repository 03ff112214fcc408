//! The UI's TypeScript types, generated from the Rust views and errors with ts-rs, so the two
//! sides cannot drift: `ui/src/ipc/generated.ts` is committed, and the test below fails when it
//! no longer matches what the Rust side sends. Regenerate it with `make ipc-types`
//! (`MEDWALLET_REGENERATE_IPC=1 cargo test --workspace ipc_types`).

use ts_rs::{Config, TS};

use crate::device_views::*;
use crate::emergency_views::*;
use crate::error::{AppError, ErrorCode};
use crate::guardian_views::*;
use crate::lifecycle_views::*;
use crate::views::*;

/// Where the generated file lives, relative to this crate.
pub const GENERATED: &str = "../../ui/src/ipc/generated.ts";

/// Every type that crosses the IPC boundary, as one TypeScript module.
pub fn typescript() -> String {
    // Heights, sizes and times are far below 2^53: plain numbers on the wire (serde_json).
    let cfg = Config::new().with_large_int("number");
    let decls = [
        ErrorCode::decl(&cfg),
        AppError::decl(&cfg),
        Role::decl(&cfg),
        Category::decl(&cfg),
        GrantState::decl(&cfg),
        SyncPhase::decl(&cfg),
        WalletStatus::decl(&cfg),
        CreatedWallet::decl(&cfg),
        Card::decl(&cfg),
        ShareCodeItem::decl(&cfg),
        RecordItem::decl(&cfg),
        VisitItem::decl(&cfg),
        OpenedRecord::decl(&cfg),
        PatientSummary::decl(&cfg),
        SummarySectionItem::decl(&cfg),
        SummaryEntryItem::decl(&cfg),
        SeriesPoint::decl(&cfg),
        LabSeries::decl(&cfg),
        crate::follow::RecordsArrived::decl(&cfg),
        SearchResults::decl(&cfg),
        SearchHit::decl(&cfg),
        SearchMatch::decl(&cfg),
        SyncReport::decl(&cfg),
        SyncProgress::decl(&cfg),
        NodeState::decl(&cfg),
        SyncStatus::decl(&cfg),
        Settings::decl(&cfg),
        DoctorInfo::decl(&cfg),
        GrantScope::decl(&cfg),
        GrantRequest::decl(&cfg),
        GrantResult::decl(&cfg),
        GrantItem::decl(&cfg),
        RevokeResult::decl(&cfg),
        AccessItem::decl(&cfg),
        SharedItem::decl(&cfg),
        LinkSelection::decl(&cfg),
        LinkRequest::decl(&cfg),
        LinkCreated::decl(&cfg),
        LinkState::decl(&cfg),
        LinkAccessOutcome::decl(&cfg),
        LinkAccessItem::decl(&cfg),
        LinkItem::decl(&cfg),
        ReceivedLink::decl(&cfg),
        ExportResult::decl(&cfg),
        FileItem::decl(&cfg),
        SavedFile::decl(&cfg),
        SaveProgressItem::decl(&cfg),
        SaveStage::decl(&cfg),
        ErasedResult::decl(&cfg),
        DeletionItem::decl(&cfg),
        ErasureItem::decl(&cfg),
        RotatedWallet::decl(&cfg),
        RecoveryItem::decl(&cfg),
        GuardianItem::decl(&cfg),
        GuardiansView::decl(&cfg),
        GuardingItem::decl(&cfg),
        RecoveringStatus::decl(&cfg),
        ContactInput::decl(&cfg),
        EmergencySetItem::decl(&cfg),
        EmergencyAccessItem::decl(&cfg),
        EmergencyView::decl(&cfg),
        EmergencyRequestItem::decl(&cfg),
        OpenedEmergency::decl(&cfg),
        DeviceOffer::decl(&cfg),
        JoinedDevice::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from crates/medwallet-app (views.rs, error.rs) by ts-rs: do not edit.\n\
         // Regenerate with `make ipc-types`; a Rust test fails when this file is stale.\n",
    );
    for decl in decls {
        out.push_str("\nexport ");
        out.push_str(&decl);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipc_types_the_ui_uses_match_the_rust_views() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(GENERATED);
        let generated = typescript();
        if std::env::var_os("MEDWALLET_REGENERATE_IPC").is_some() {
            std::fs::write(&path, &generated).expect("write the generated types");
            return;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "{} is stale: run `make ipc-types` and commit it",
            path.display()
        );
    }
}
