//! Packed string tables: many short strings stored as one string plus a `u16` end offset
//! each, instead of one `&str` (a pointer and a length) per use.
//!
//! The playground's wasm carries these tables; a slice of `&str` is two 32-bit words per
//! string that gzip compresses poorly, while one string and small integers compress well.
//! 1. A [`Pool`] interns strings in first-use order and hands out `u16` ids.
//! 2. [`Pool::emit`] writes a `super::Packed` static (`text`, `ends`) that
//!    `crates/seccplay-core/src/tables/mod.rs` reads back as `&'static str`s.

use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Strings interned in first-use order.
#[derive(Default)]
pub(crate) struct Pool {
    text: String,
    ends: Vec<u16>,
    ids: BTreeMap<String, u16>,
}

impl Pool {
    /// The id of `s`, adding it if new; an error once the text outgrows `u16` offsets.
    pub(crate) fn id(&mut self, s: &str) -> Result<u16, String> {
        if let Some(&i) = self.ids.get(s) {
            return Ok(i);
        }
        self.text.push_str(s);
        let end = u16::try_from(self.text.len())
            .map_err(|_| "packed string table over 64 KiB".to_string())?;
        let id = u16::try_from(self.ends.len()).map_err(|_| "over 65536 strings".to_string())?;
        self.ends.push(end);
        self.ids.insert(s.to_string(), id);
        Ok(id)
    }

    /// `/// doc` and `pub(crate) static NAME: super::Packed = …;`, the text cut into lines.
    pub(crate) fn emit(&self, out: &mut String, name: &str, doc: &str) {
        writeln!(out, "/// {doc}\n#[rustfmt::skip]").unwrap();
        writeln!(
            out,
            "pub(crate) static {name}: super::Packed = super::Packed {{"
        )
        .unwrap();
        out.push_str("    text: concat!(\n");
        let (mut line, mut start) = (String::new(), 0usize);
        for &e in &self.ends {
            line.push_str(&self.text[start..e as usize]);
            start = e as usize;
            if line.len() >= 80 {
                writeln!(out, "        {:?},", line).unwrap();
                line.clear();
            }
        }
        if !line.is_empty() {
            writeln!(out, "        {:?},", line).unwrap();
        }
        out.push_str("    ),\n    ends: &[");
        numbers(out, 8, self.ends.iter().map(|e| e.to_string()));
        out.push_str("],\n};\n");
    }
}

/// Writes `items` comma-separated, a line break every 16 items, lines indented by `indent`
/// spaces (the closing bracket by 4 less).
pub(crate) fn numbers(out: &mut String, indent: usize, items: impl Iterator<Item = String>) {
    let pad = " ".repeat(indent);
    for (i, it) in items.enumerate() {
        if i % 16 == 0 {
            out.push('\n');
            out.push_str(&pad);
        } else {
            out.push(' ');
        }
        write!(out, "{it},").unwrap();
    }
    out.push('\n');
    out.push_str(&pad[4..]);
}
