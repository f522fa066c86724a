//! `preset_pack.rs`: every preset profile but Docker's current one, without its layout,
//! concatenated and deflated as one stream.
//!
//! Each profile is stored minified (no whitespace outside strings) with its layout: indented
//! by tabs, by two spaces or not at all (Go's `json.MarshalIndent`, serde_json's pretty
//! printer, compact JSON), with or without a final newline. Minified, the profiles are
//! near-copies of each other (Docker's history, containerd's versions), so one DEFLATE stream
//! over all of them is about a twenty-sixth of their text; the playground's first-load build
//! links none of it, and the full build inflates it (with the miniz_oxide the page already
//! has) the first time a preset is asked for. The generator checks here that every profile
//! is rebuilt byte for byte and that the stream inflates back.

use super::{Profile, HEADER};
use std::fmt::Write as _;

/// miniz_oxide's best (slowest) compression level.
const LEVEL: u8 = 10;

/// The layouts a profile can have: (indentation, final newline); `None` is compact JSON.
/// `seccplay_core::presets` reads a profile's layout as its index here.
const LAYOUTS: [(Option<&str>, bool); 6] = [
    (Some("\t"), false),
    (Some("\t"), true),
    (Some("  "), false),
    (Some("  "), true),
    (None, false),
    (None, true),
];

/// `text` without whitespace outside strings.
fn minify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_str = false;
    let mut esc = false;
    for c in text.chars() {
        if in_str {
            out.push(c);
            if esc {
                esc = false;
            } else if c == '\\' {
                esc = true;
            } else if c == '"' {
                in_str = false;
            }
        } else if c == '"' {
            in_str = true;
            out.push(c);
        } else if !c.is_ascii_whitespace() {
            out.push(c);
        }
    }
    out
}

/// Minified JSON laid out as Go's `json.MarshalIndent` and serde_json's pretty printer do:
/// one member or element a line, `": "` after keys, empty `{}` and `[]` on one line. The
/// same layout as `seccplay_core::presets`' private `rebuild`, written twice on purpose: the
/// generator does not link the crate whose tables it writes (a broken table must not stop
/// the tool that rewrites it), and both sides are checked against the stored files (here
/// before writing the pack; there by `each_preset_equals_its_file`).
fn lay_out(min: &str, indent: &str) -> String {
    let b = min.as_bytes();
    let mut out = String::with_capacity(min.len() * 2);
    let mut depth = 0;
    let mut i = 0;
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        for _ in 0..depth {
            out.push_str(indent);
        }
    };
    while i < b.len() {
        match b[i] {
            b'"' => {
                let start = i;
                i += 1;
                while b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                out.push_str(&min[start..=i]);
            }
            c @ (b'[' | b'{') if matches!(b.get(i + 1), Some(b']' | b'}')) => {
                out.push(c as char);
                out.push(b[i + 1] as char);
                i += 1;
            }
            c @ (b'[' | b'{') => {
                out.push(c as char);
                depth += 1;
                newline(&mut out, depth);
            }
            c @ (b']' | b'}') => {
                depth -= 1;
                newline(&mut out, depth);
                out.push(c as char);
            }
            b',' => {
                out.push(',');
                newline(&mut out, depth);
            }
            b':' => out.push_str(": "),
            _ => {
                let start = i;
                while i + 1 < b.len() && !b"\",:[]{}".contains(&b[i + 1]) {
                    i += 1;
                }
                out.push_str(&min[start..=i]);
            }
        }
        i += 1;
    }
    out
}

/// `text` rebuilt from its minified form and layout `LAYOUTS[layout]`.
fn rebuild(min: &str, layout: usize) -> String {
    let (indent, newline) = LAYOUTS[layout];
    let mut t = match indent {
        Some(ind) => lay_out(min, ind),
        None => min.to_string(),
    };
    if newline {
        t.push('\n');
    }
    t
}

/// Renders `preset_pack.rs`: one index constant per profile, the minified lengths, the
/// layouts and the stream.
pub fn render(profiles: &[Profile]) -> Result<String, String> {
    let mut mins = Vec::new();
    let mut layouts = Vec::new();
    for p in profiles {
        let min = minify(&p.text);
        let layout = (0..LAYOUTS.len())
            .find(|&l| rebuild(&min, l) == p.text)
            .ok_or(format!(
                "preset pack: {} is not laid out as any of {LAYOUTS:?}",
                p.name
            ))?;
        mins.push(min);
        layouts.push(layout);
    }
    let text_len: usize = profiles.iter().map(|p| p.text.len()).sum();
    let all: String = mins.concat();
    let packed = miniz_oxide::deflate::compress_to_vec(all.as_bytes(), LEVEL);
    let back = miniz_oxide::inflate::decompress_to_vec(&packed)
        .map_err(|e| format!("preset pack: does not inflate back: {e:?}"))?;
    if back != all.as_bytes() {
        return Err("preset pack: inflates to other bytes".to_string());
    }
    let mut s = String::new();
    let _ = writeln!(s, "{HEADER}");
    let _ = writeln!(
        s,
        "//! Every preset profile but Docker's current one (`presets.rs`): their texts minified,\n//! concatenated and deflated as one stream ({} bytes of text, {} minified, {} deflated),\n//! inflated and laid out again on first use by `presets::all`. Docker's history and Podman's\n//! containers/common profile are the stored files byte for byte; containerd's RuntimeDefault is\n//! a conditional Docker-format profile built from its stored outputs and\n//! refdata/host/containerd/facts.json.",
        text_len,
        all.len(),
        packed.len()
    );
    for (i, p) in profiles.iter().enumerate() {
        let _ = writeln!(
            s,
            "\n/// {}.\npub(crate) const {}: usize = {i};",
            p.doc, p.name
        );
    }
    let _ = writeln!(
        s,
        "\n/// The length in bytes of each profile minified, in index order.\n#[rustfmt::skip]\npub(crate) const LENGTHS: [u32; {}] = [{}];",
        mins.len(),
        mins.iter()
            .map(|m| m.len().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(
        s,
        "\n/// Each profile's layout, in index order: 0/1 tabs, 2/3 two spaces, 4/5 compact; odd with a\n/// final newline.\n#[rustfmt::skip]\npub(crate) const LAYOUTS: [u8; {}] = [{}];",
        layouts.len(),
        layouts
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(
        s,
        "\n/// The minified texts in index order, concatenated, as a raw DEFLATE stream (miniz_oxide level {LEVEL}).\n#[rustfmt::skip]\npub(crate) static PACK: [u8; {}] = [",
        packed.len()
    );
    for row in packed.chunks(24) {
        let line: Vec<String> = row.iter().map(u8::to_string).collect();
        let _ = writeln!(s, "    {},", line.join(", "));
    }
    s.push_str("];\n");
    Ok(s)
}
