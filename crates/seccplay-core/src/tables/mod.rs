//! Generated tables (by `tools/gen-tables` from `../shared/refdata`): libseccomp's syscall
//! numbers and pseudo numbers, syscall prototypes, argument constants and errno messages.
//!
//! An implementation detail of [`crate::syscalls`], which is the API to use.

pub(crate) mod constants;
pub(crate) mod errno_messages;
pub(crate) mod host;
pub(crate) mod host_presets;
pub(crate) mod presets;
pub(crate) mod prototypes;
pub(crate) mod syscalls;

use crate::arch::TableColumn;
use crate::syscalls::Param;

/// Marks a syscall that is absent from a column.
pub(crate) const N: u32 = u32::MAX;

/// Builds a [`Param`] (keeps the generated prototype table short).
pub(crate) const fn p(ty: &'static str, name: &'static str) -> Param {
    Param { ty, name }
}

/// Index of a [`TableColumn`] in the generated number arrays (the order of `COLUMN_NAMES`).
pub(crate) fn column_index(c: TableColumn) -> usize {
    match c {
        TableColumn::X86 => 0,
        TableColumn::X86_64 => 1,
        TableColumn::X32 => 2,
        TableColumn::Arm => 3,
        TableColumn::Aarch64 => 4,
        TableColumn::Loongarch64 => 5,
        TableColumn::M68k => 6,
        TableColumn::Mips => 7,
        TableColumn::Mips64 => 8,
        TableColumn::Mips64n32 => 9,
        TableColumn::Parisc => 10,
        TableColumn::Parisc64 => 11,
        TableColumn::Ppc => 12,
        TableColumn::Ppc64 => 13,
        TableColumn::Riscv64 => 14,
        TableColumn::S390 => 15,
        TableColumn::S390x => 16,
        TableColumn::Sh => 17,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arch::Arch;

    #[test]
    fn column_index_matches_the_generated_column_names() {
        for a in Arch::ALL {
            let c = a.table_column();
            let want = format!("{c:?}").to_ascii_lowercase();
            assert_eq!(syscalls::COLUMN_NAMES[column_index(c)], want, "{a}");
        }
    }

    #[test]
    fn tables_are_sorted_by_name() {
        assert!(syscalls::SYSCALLS.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(prototypes::PROTOTYPES.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(errno_messages::ERRNO_MESSAGES
            .windows(2)
            .all(|w| w[0].0 < w[1].0));
    }
}
