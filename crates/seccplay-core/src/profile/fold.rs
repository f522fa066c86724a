//! Go's case folding of JSON member names (encoding/json, `bytes.EqualFold`).

/// `ſ` U+017F LATIN SMALL LETTER LONG S, in UTF-8.
const LONG_S: &[u8] = "\u{17f}".as_bytes();
/// `K` U+212A KELVIN SIGN, in UTF-8.
const KELVIN: &[u8] = "\u{212a}".as_bytes();

/// True if Go's encoding/json treats the member names `a` and `b` as the same name, for the
/// names it can matter for: those that fold to a field name, which are all ASCII here.
///
/// Go matches a JSON member name to a struct field with `bytes.EqualFold`, Unicode simple case
/// folding. Go ≥ 1.21 (encoding/json/fold.go) compares `foldName(key)` with the fields' folded
/// names, where `foldName` upper-cases ASCII letters and maps every other rune through
/// `foldRune`, the smallest rune of its `unicode.SimpleFold` orbit. The only non-ASCII runes
/// whose orbit holds an ASCII letter are U+017F `ſ` (orbit S s ſ) and U+212A KELVIN SIGN
/// (orbit K k K); Go < 1.21 had the same two special cases spelled out in `equalFoldRight`
/// ("The letters S and K are special because they map to 3 runes, not just 2"). So: ASCII
/// letters compare case-insensitively, `ſ` is `s`, `K` is `k`, and any other character only
/// equals itself. (Two non-ASCII names differing in case, "é" and "É", are the same for Go
/// but not here: no field has such a name, so such members are unknown either way.)
#[inline]
pub(crate) fn go_fold_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    // Equal lengths: the same bytes up to ASCII case (the common case), or a mix of ſ/K and
    // plain letters in different places ("ſs" and "sſ"), found below.
    if a.len() == b.len() && a.eq_ignore_ascii_case(b) {
        return true;
    }
    // Most different names differ in their first letter.
    if let (Some(&x), Some(&y)) = (a.first(), b.first()) {
        if x < 0x80 && y < 0x80 && !x.eq_ignore_ascii_case(&y) {
            return false;
        }
    }
    fold_eq_slow(a, b)
}

/// [`go_fold_eq`] unit by unit.
#[inline(never)]
fn fold_eq_slow(a: &[u8], b: &[u8]) -> bool {
    // One unit of a name: an ASCII byte lower-cased, ſ as `s`, K as `k`, and any other
    // byte as itself (bytes of other characters, >= 0x80, never equal an ASCII unit).
    fn unit(s: &[u8], i: usize) -> (u8, usize) {
        let b = s[i];
        if b < 0x80 {
            (b.to_ascii_lowercase(), 1)
        } else if s[i..].starts_with(LONG_S) {
            (b's', LONG_S.len())
        } else if s[i..].starts_with(KELVIN) {
            (b'k', KELVIN.len())
        } else {
            (b, 1)
        }
    }
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let ((x, n), (y, m)) = (unit(a, i), unit(b, j));
        if x != y {
            return false;
        }
        i += n;
        j += m;
    }
    i == a.len() && j == b.len()
}
