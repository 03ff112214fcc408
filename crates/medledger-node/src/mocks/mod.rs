//! Test support, compiled only into the node's own tests: a whole validator network in
//! Commonware's deterministic runtime (`simulation`), Byzantine proposers as separate actors
//! wrapping the real application (`byzantine`), and the seeded fault scenarios run over them
//! (`scenarios`, and validator-set changes in `epoch_scenarios`; `make soak` runs thousands of
//! seeds).

pub mod byzantine;
mod epoch_scenarios;
mod scenarios;
pub mod simulation;
