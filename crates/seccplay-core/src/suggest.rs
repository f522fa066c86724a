//! "Did you mean": the closest known spelling of a misspelt name. One home for the three
//! places that suggest one.
//!
//! 1. Profile members and values ([`close_one`]): the first known spelling equal up to case,
//!    `_` and `-`, or at most two edits away. ` (did you mean "SCMP_CMP_EQ"?)`
//! 2. Unknown syscall names in resolution ([`closest`]): the nearest known name at most two
//!    edits away. ` (did you mean "openat"?)`
//! 3. Names in call expressions ([`list`]): up to three candidates ranked by distance, prefix
//!    relation and length. `; did you mean `openat`, `open`?`

/// ` (did you mean "k"?)` for the first of `known` that is [`close`] to `written`, or "".
pub(crate) fn close_one<K: AsRef<str>>(
    written: &str,
    known: impl IntoIterator<Item = K>,
) -> String {
    known
        .into_iter()
        .find(|k| close(k.as_ref(), written))
        .map(|k| format!(" (did you mean \"{}\"?)", k.as_ref()))
        .unwrap_or_default()
}

/// ` (did you mean "k"?)` for the `known` name nearest to `name` (the first of equals), at most
/// two edits away, or "".
pub(crate) fn closest<'k>(name: &str, known: impl IntoIterator<Item = &'k str>) -> String {
    let best = known
        .into_iter()
        .map(|k| (edit_distance(k, name), k))
        .filter(|&(d, _)| d <= 2)
        .min_by_key(|&(d, _)| d);
    best.map(|(_, b)| format!(" (did you mean \"{b}\"?)"))
        .unwrap_or_default()
}

/// `"; did you mean `a`, `b`?"` with the closest candidates, or "".
pub(crate) fn list<'s>(word: &str, candidates: impl Iterator<Item = &'s str>) -> String {
    let w = word.to_ascii_lowercase();
    if w.len() > 64 {
        return String::new();
    }
    let max = (w.len() / 3).max(2);
    // Rank by edit distance, then prefix relations (open → openat), then closeness in length.
    let mut scored: Vec<(usize, bool, usize, &str)> = candidates
        .filter(|c| c.len() <= 64)
        .filter_map(|c| {
            let lc = c.to_ascii_lowercase();
            let prefix = lc.starts_with(&w) || w.starts_with(&lc);
            let len_diff = lc.len().abs_diff(w.len());
            let d = if prefix {
                len_diff.min(max)
            } else {
                levenshtein(&w, &lc)
            };
            (d <= max).then_some((d, !prefix, len_diff, c))
        })
        .collect();
    crate::sort::sort(&mut scored);
    scored.dedup();
    scored.truncate(3);
    if scored.is_empty() {
        return String::new();
    }
    let names: Vec<String> = scored.iter().map(|s| format!("`{}`", s.3)).collect();
    format!("; did you mean {}?", names.join(", "))
}

/// Levenshtein distance (insertions, deletions, substitutions), counted in chars.
pub(crate) fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, &cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Two spellings are close: same letters ignoring case and `_`, or at most two edits apart.
pub(crate) fn close(known: &str, written: &str) -> bool {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| *c != '_' && *c != '-')
            .flat_map(|c| c.to_lowercase())
            .collect()
    };
    let (a, b) = (norm(known), norm(written));
    a == b || edit_distance(&a, &b) <= 2
}

/// [`levenshtein`] for short names: `usize::MAX` when either has more than 64 chars or their
/// lengths differ by more than 3 (then the distance is at least 4, more than anyone accepts).
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let (n, m) = (a.chars().count(), b.chars().count());
    if n.abs_diff(m) > 3 || n > 64 || m > 64 {
        return usize::MAX;
    }
    levenshtein(a, b)
}
