//! Shared helpers for the system tests live here as they are needed.
