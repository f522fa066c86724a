//! The playground's components, one per file, each with narrow props: the values it shows and
//! callbacks for the edits it makes (never the whole state or the dispatcher). The panels marked
//! `full` are in the full build only (`crate::boot`).
pub mod about;
#[cfg(feature = "full")]
pub mod audit;
#[cfg(feature = "full")]
pub mod compare;
pub mod context;
pub mod diagnostics;
pub mod editor;
pub mod format;
#[cfg(feature = "full")]
pub mod hosts;
#[cfg(feature = "full")]
pub mod program;
#[cfg(feature = "full")]
pub mod raw;
pub mod simulate;
#[cfg(feature = "full")]
pub mod step;
#[cfg(feature = "full")]
pub mod strace;
pub mod table;
pub mod toolbar;
