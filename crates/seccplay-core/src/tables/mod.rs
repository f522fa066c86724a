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
pub(crate) mod preset_pack;
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

/// Many short strings as one `text` and each one's end offset (made by tools/gen-tables).
///
/// The prototype and constant tables store their strings this way, with `u16` ids in place
/// of `&str`s: the playground's wasm is smaller (and gzips better) than with a pointer and a
/// length per string.
pub(crate) struct Packed {
    /// The strings, concatenated.
    pub(crate) text: &'static str,
    /// Where each string ends in `text` (it starts where the previous one ends).
    pub(crate) ends: &'static [u16],
}

impl Packed {
    /// String `i`.
    pub(crate) fn get(&self, i: usize) -> &'static str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }
}

/// A row of libseccomp's syscall table: (name, `__PNR_*` number or 0 if none, number per
/// column as stored in the csv or [`N`]; columns in `syscalls::COLUMN_NAMES`' order).
pub(crate) type SyscallRow = (&'static str, i32, [u32; 18]);

/// libseccomp's syscall table, sorted by name: decoded once from `syscalls.rs`'s compact form
/// (names, pseudo numbers, per column the name of each number).
pub(crate) fn syscall_rows() -> &'static [SyscallRow] {
    static ROWS: std::sync::OnceLock<Vec<SyscallRow>> = std::sync::OnceLock::new();
    ROWS.get_or_init(|| {
        use syscalls::{BY_NUMBER, EXTRA, NAMES, PNR, X};
        let mut rows: Vec<SyscallRow> = NAMES
            .split(' ')
            .zip(PNR)
            .map(|(name, p)| (name, i32::from(p), [N; 18]))
            .collect();
        for (c, col) in BY_NUMBER.iter().enumerate() {
            for (nr, &i) in col.iter().enumerate() {
                if i != X {
                    rows[usize::from(i)].2[c] = nr as u32;
                }
            }
        }
        for &(c, i, nr) in EXTRA {
            rows[usize::from(i)].2[usize::from(c)] = nr;
        }
        rows
    })
}

/// Number of rows of the prototype table.
pub(crate) fn prototype_count() -> usize {
    prototypes::ROWS.len()
}

/// The libseccomp name of prototype row `i` (rows are sorted by it).
pub(crate) fn prototype_name(i: usize) -> &'static str {
    prototypes::STRS.get(prototypes::ROWS[i][0] as usize)
}

/// The prototype row of libseccomp name `name` (binary search).
pub(crate) fn prototype_index(name: &str) -> Option<usize> {
    let (mut lo, mut hi) = (0, prototype_count());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        match prototype_name(mid).cmp(name) {
            std::cmp::Ordering::Less => lo = mid + 1,
            std::cmp::Ordering::Greater => hi = mid,
            std::cmp::Ordering::Equal => return Some(mid),
        }
    }
    None
}

/// Prototype row `i`: (libseccomp name, kernel function, parameters).
pub(crate) fn prototype_row(i: usize) -> (&'static str, &'static str, &'static [Param]) {
    use prototypes::{PARAMS, ROWS, STRS};
    // Params are decoded once, all together, so rows can hand out `&'static [Param]`.
    static DECODED: std::sync::OnceLock<Vec<Param>> = std::sync::OnceLock::new();
    let all = DECODED.get_or_init(|| {
        PARAMS
            .iter()
            .map(|&[t, n]| p(STRS.get(t as usize), STRS.get(n as usize)))
            .collect()
    });
    let [name, f, first] = ROWS[i];
    let end = ROWS.get(i + 1).map_or(all.len(), |r| r[2] as usize);
    (
        STRS.get(name as usize),
        STRS.get(f as usize),
        &all[first as usize..end],
    )
}

/// Every named constant, in source order: (name, value, group).
pub(crate) fn constants() -> impl Iterator<Item = (&'static str, u64, &'static str)> {
    use constants::{GROUP, GROUPS, NAMES, VALUES};
    (0..VALUES.len()).map(|i| (NAMES.get(i), VALUES[i], GROUPS[GROUP[i] as usize]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted_by_name() {
        assert!(syscall_rows().windows(2).all(|w| w[0].0 < w[1].0));
        assert!((1..prototype_count()).all(|i| prototype_name(i - 1) < prototype_name(i)));
        assert!(errno_messages::ERRNO_MESSAGES
            .windows(2)
            .all(|w| w[0].0 < w[1].0));
    }

    /// The decoded syscall table is libseccomp's csv, row for row and cell for cell.
    #[test]
    fn syscall_rows_decode_to_the_csv() {
        const CSV: &str = include_str!("../../../../refdata/syscalls/libseccomp/syscalls.csv");
        const PNR_CSV: &str =
            include_str!("../../../../refdata/syscalls/libseccomp/pseudo_syscalls_pnr.csv");
        let mut lines = CSV.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let col = |c: &str| header.iter().position(|h| *h == c).unwrap();
        let cols: Vec<usize> = syscalls::COLUMN_NAMES.iter().map(|c| col(c)).collect();
        let pnr = |name: &str| {
            PNR_CSV
                .lines()
                .skip(1)
                .filter_map(|l| l.split_once(','))
                .find(|(n, _)| *n == name)
                .map_or(0, |(_, v)| v.trim().parse::<i32>().unwrap())
        };
        let mut want: Vec<SyscallRow> = lines
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let cells: Vec<&str> = l.split(',').collect();
                let name: &'static str = syscall_rows()
                    .iter()
                    .find(|r| r.0 == cells[0].trim())
                    .map(|r| r.0)
                    .unwrap_or_else(|| panic!("{} is missing", cells[0]));
                let mut nr = [N; 18];
                for (i, &c) in cols.iter().enumerate() {
                    let cell = cells[c].trim();
                    if cell != "PNR" {
                        nr[i] = cell.parse().unwrap();
                    }
                }
                (name, pnr(name), nr)
            })
            .collect();
        want.sort_by(|a, b| a.0.cmp(b.0));
        assert_eq!(syscall_rows(), &want[..]);
        // ARM's private calls (stored apart from the columns) and a mips number (no base).
        let arm = crate::arch::Arch::Arm.table_column() as usize;
        let row = |n: &str| syscall_rows().iter().find(|r| r.0 == n).unwrap();
        assert_eq!(row("set_tls").2[arm], 0xf0005);
        assert_eq!(row("read").2[syscalls::TableColumn::Mips as usize], 3);
        assert_eq!(row("accept").1, -105);
    }

    #[test]
    fn packed_tables_read_back() {
        let (name, f, args) = prototype_row(0);
        assert_eq!((name, f), ("_llseek", "llseek"));
        assert_eq!(args[4], p("unsigned int", "whence"));
        let last = prototype_row(prototype_count() - 1);
        assert!(!last.2.is_empty());
        assert_eq!(constants::NAMES.ends.len(), constants::VALUES.len());
        assert_eq!(constants::GROUP.len(), constants::VALUES.len());
        let first = constants().next().unwrap();
        assert_eq!(first, ("CSIGNAL", 255, "clone"));
    }
}
