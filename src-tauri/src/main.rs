//! Medwallet's desktop shell. The Tauri 2 application (setup, thin commands that deserialize,
//! call the wallet core and map errors to `{ code, message }`) is built in the desktop issue;
//! this crate is a member of the workspace from the start so that the layout, lints and CI
//! cover it.

fn main() {
    eprintln!("The Medwallet desktop app is not built yet; use the `medwallet` CLI.");
    std::process::exit(2);
}
