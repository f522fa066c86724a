//! Diagnostics: what the front-end, the resolution and the rule database have to say about a
//! profile — errors that stop it, and warnings and notes about rules that were dropped or changed.

use crate::arch::Arch;
use serde::Serialize;
use std::fmt;

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The profile cannot be used: Docker, the runtime or libseccomp would refuse it.
    Error,
    /// Accepted, but probably not what the author meant (a dropped rule, an unknown field).
    Warning,
    /// Information about how the profile was resolved (a rule excluded by a capability).
    Note,
}

/// Where in the profile text a diagnostic points.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Location {
    /// JSON path, e.g. `syscalls[12].args[0].op` (empty for the whole document).
    pub path: String,
    /// 1-based line of the first character.
    pub line: u32,
    /// 1-based column (in characters) of the first character.
    pub column: u32,
    /// Byte offset of the first character.
    pub start: usize,
    /// Byte offset just past the last character.
    pub end: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)?;
        if !self.path.is_empty() {
            write!(f, " ({})", self.path)?;
        }
        Ok(())
    }
}

/// One message about a profile.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Error, warning or note.
    pub severity: Severity,
    /// A stable kebab-case identifier (`unknown-action`, `excluded-by-cap`, `rule-conflict`, ...).
    pub code: &'static str,
    /// The message, a sentence that says what and why.
    pub message: String,
    /// Where in the profile, when the diagnostic is about a place in it.
    pub location: Option<Location>,
    /// The ABI the diagnostic is about, when only one is concerned.
    pub arch: Option<Arch>,
}

impl Diagnostic {
    /// An error with a code and a message.
    pub fn error(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Error, code, message)
    }

    /// A warning with a code and a message.
    pub fn warning(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Warning, code, message)
    }

    /// A note with a code and a message.
    pub fn note(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Note, code, message)
    }

    fn new(severity: Severity, code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity,
            code,
            message: message.into(),
            location: None,
            arch: None,
        }
    }

    /// Attaches a location.
    pub fn at(mut self, location: Option<Location>) -> Diagnostic {
        self.location = location;
        self
    }

    /// Attaches an ABI.
    pub fn on(mut self, arch: Arch) -> Diagnostic {
        self.arch = Some(arch);
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        };
        if let Some(loc) = &self.location {
            write!(f, "{loc}: ")?;
        }
        write!(f, "{sev}[{}]: {}", self.code, self.message)?;
        if let Some(a) = self.arch {
            write!(f, " [{a}]")?;
        }
        Ok(())
    }
}

/// A failure made of one or more error diagnostics (warnings gathered so far ride along).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// Every diagnostic, errors first in the order found.
    pub diagnostics: Vec<Diagnostic>,
}

impl Failure {
    /// A failure from a single error.
    pub fn single(d: Diagnostic) -> Failure {
        Failure {
            diagnostics: vec![d],
        }
    }

    /// The first error.
    pub fn first_error(&self) -> Option<&Diagnostic> {
        self.diagnostics.iter().find(|d| d.is_error())
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for d in self.diagnostics.iter().filter(|d| d.is_error()) {
            if !first {
                writeln!(f)?;
            }
            first = false;
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Failure {}
