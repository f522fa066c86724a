//! Generated tables (by `tools/gen-tables` from the repository's `refdata/`): libseccomp's
//! syscall numbers and pseudo numbers, syscall prototypes, argument constants and errno
//! messages.
//!
//! An implementation detail of [`crate::syscalls`], which is the API to use. Leaf data: these
//! files import nothing outside `tables/` (the types they need, [`Param`] and
//! `syscalls::TableColumn`, are defined here), so nothing here can form an import cycle.

pub(crate) mod constants;
pub(crate) mod errno_messages;
pub(crate) mod host;
pub(crate) mod host_presets;
pub(crate) mod presets;
pub(crate) mod prototypes;
pub(crate) mod syscalls;
pub(crate) mod systemd;

/// Marks a syscall that is absent from a column.
pub(crate) const N: u32 = u32::MAX;

/// One parameter of a syscall prototype (re-exported as `syscalls::Param`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Param {
    /// C type, kernel style without `__user` (`const char *`).
    pub ty: &'static str,
    /// Parameter name (`filename`).
    pub name: &'static str,
}

/// Builds a [`Param`] (keeps the generated prototype table short).
pub(crate) const fn p(ty: &'static str, name: &'static str) -> Param {
    Param { ty, name }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted_by_name() {
        assert!(syscalls::SYSCALLS.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(prototypes::PROTOTYPES.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(errno_messages::ERRNO_MESSAGES
            .windows(2)
            .all(|w| w[0].0 < w[1].0));
    }
}
