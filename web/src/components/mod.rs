//! The playground's components, one per file, each with narrow props: the values it shows and
//! callbacks for the edits it makes (never the whole state or the dispatcher).
pub mod about;
pub mod audit;
pub mod compare;
pub mod context;
pub mod diagnostics;
pub mod editor;
pub mod format;
pub mod hosts;
pub mod program;
pub mod raw;
pub mod simulate;
pub mod step;
pub mod strace;
pub mod table;
pub mod toolbar;
