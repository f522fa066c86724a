//! Byte offsets → line and column, fast on any line length.

use super::Span;
use crate::diag::Location;

/// Maps byte offsets to 1-based line and column numbers.
///
/// Columns count characters, so they need the characters before an offset on its line: the
/// index keeps, every [`CHECKPOINT`] bytes, how many characters precede that byte, so that a
/// lookup reads at most [`CHECKPOINT`] bytes whatever the line length (a profile written on
/// one 20 MB line would otherwise make every lookup scan megabytes: quadratic).
#[derive(Clone, Debug)]
pub struct LineIndex<'a> {
    text: &'a str,
    pub(super) line_starts: Vec<usize>,
    /// `chars_at[i]`: characters in `text[..i * CHECKPOINT]` (empty for ASCII text, where
    /// characters are bytes).
    chars_at: Vec<usize>,
}

/// Bytes between two character-count checkpoints of a [`LineIndex`].
pub const CHECKPOINT: usize = 256;

/// True for the bytes that start a character (everything but UTF-8 continuation bytes).
fn starts_char(b: u8) -> bool {
    (b as i8) >= -0x40
}

impl<'a> LineIndex<'a> {
    /// Indexes `text`.
    pub fn new(text: &'a str) -> LineIndex<'a> {
        let bytes = text.as_bytes();
        let mut line_starts = vec![0];
        // Eight bytes at a time: the zero bytes of `word ^ "\n\n\n\n\n\n\n\n"` are the
        // newlines; `found` has the high bit of each (exactly: no carry crosses bytes).
        const LOWS: u64 = u64::from_le_bytes([0x7f; 8]);
        const NEWLINES: u64 = u64::from_le_bytes([b'\n'; 8]);
        let mut words = bytes.chunks_exact(8);
        let mut at = 0;
        for word in &mut words {
            let x = u64::from_le_bytes(word.try_into().expect("8 bytes")) ^ NEWLINES;
            let mut found = !(((x & LOWS) + LOWS) | x | LOWS);
            while found != 0 {
                line_starts.push(at + (found.trailing_zeros() / 8) as usize + 1);
                found &= found - 1;
            }
            at += 8;
        }
        for (i, &b) in words.remainder().iter().enumerate() {
            if b == b'\n' {
                line_starts.push(at + i + 1);
            }
        }
        let mut chars_at = Vec::new();
        if !text.is_ascii() {
            chars_at.reserve(text.len() / CHECKPOINT + 1);
            let mut chars = 0usize;
            for block in text.as_bytes().chunks(CHECKPOINT) {
                chars_at.push(chars);
                chars += block.iter().filter(|&&b| starts_char(b)).count();
            }
            chars_at.push(chars);
        }
        LineIndex {
            text,
            line_starts,
            chars_at,
        }
    }

    /// Characters that start in `text[..offset]`.
    fn chars_before(&self, offset: usize) -> usize {
        if self.chars_at.is_empty() {
            return offset;
        }
        let block = offset / CHECKPOINT;
        let from = block * CHECKPOINT;
        self.chars_at[block]
            + self.text.as_bytes()[from..offset]
                .iter()
                .filter(|&&b| starts_char(b))
                .count()
    }

    /// 1-based (line, column-in-characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (u32, u32) {
        self.line_col_near(offset, &mut 0)
    }

    /// [`LineIndex::line_col`], looking first at the 0-based line `near` and the next one
    /// (offsets asked in order are found without a search); sets `near` to the line found.
    pub(crate) fn line_col_near(&self, offset: usize, near: &mut usize) -> (u32, u32) {
        let offset = offset.min(self.text.len());
        let starts = &self.line_starts;
        let on = |l: usize| starts[l] <= offset && starts.get(l + 1).is_none_or(|&n| offset < n);
        let line = if *near < starts.len() && on(*near) {
            *near
        } else if *near + 1 < starts.len() && on(*near + 1) {
            *near + 1
        } else {
            match starts.binary_search(&offset) {
                Ok(i) => i,
                Err(i) => i - 1,
            }
        };
        *near = line;
        let start = self.line_starts[line];
        let col = self.chars_before(offset) - self.chars_before(start) + 1;
        (line as u32 + 1, col as u32)
    }

    /// A [`Location`] for a span and a JSON path.
    pub fn location(&self, span: Span, path: &str) -> Location {
        let (line, column) = self.line_col(span.start);
        Location {
            path: path.to_string(),
            line,
            column,
            start: span.start,
            end: span.end,
        }
    }
}
