//! One sort for the crate: the standard library's stable sort, instantiated once.
//!
//! Every `slice::sort_by` call with a new element type or comparison is a new copy of the
//! standard sort (driftsort: five to eight functions, about 3 KB of wasm each). These helpers
//! sort a list of indices with a comparison behind `&dyn`, so the standard sort is compiled
//! once for the whole crate, then move the elements into that order. The result is exactly the
//! standard stable sort's (a stable sort's output is unique), so no output changes.
//!
//! 1. [`sort_by`] is `slice::sort_by`; [`sort_by_key`] and [`sort`] are built on it.
//! 2. Use them where a sort is not hot: the indices cost a `Vec<usize>` and an indirection.
//! 3. `sort_unstable` on values whose equal elements are indistinguishable (integers, strings,
//!    tuples of them) gives the same output as [`sort`], which may replace it.
use std::cmp::Ordering;

/// Sorts `v` stably by `cmp`, as `v.sort_by(cmp)` does.
pub fn sort_by<T>(v: &mut [T], cmp: impl Fn(&T, &T) -> Ordering) {
    let order = indices(v.len(), &|a, b| cmp(&v[a], &v[b]));
    permute(v, order);
}

/// Sorts `v` stably by `key`, as `v.sort_by_key(key)` does.
pub fn sort_by_key<T, K: Ord>(v: &mut [T], key: impl Fn(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// Sorts `v` stably, as `v.sort()` does.
pub fn sort<T: Ord>(v: &mut [T]) {
    sort_by(v, T::cmp);
}

/// The order of `0..n` by `cmp` (stable): the one instantiation of the standard sort.
fn indices(n: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_by(|&a, &b| cmp(a, b));
    idx
}

/// Moves `v[order[i]]` to position `i`, in place (each position is settled in turn: the
/// element it needs is found by following where earlier swaps moved it).
fn permute<T>(v: &mut [T], order: Vec<usize>) {
    for i in 0..order.len() {
        let mut j = order[i];
        while j < i {
            j = order[j];
        }
        v.swap(i, j);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Equal to the standard stable sort on lists with many ties, for every length up to 40.
    #[test]
    fn same_order_as_the_standard_stable_sort() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for n in 0..40 {
            for _ in 0..20 {
                let v: Vec<(u8, usize)> = (0..n)
                    .map(|i| {
                        seed ^= seed << 13;
                        seed ^= seed >> 7;
                        seed ^= seed << 17;
                        ((seed % 5) as u8, i)
                    })
                    .collect();
                let mut want = v.clone();
                want.sort_by_key(|p| p.0);
                let mut got = v.clone();
                sort_by_key(&mut got, |p| p.0);
                assert_eq!(got, want);
                let (mut a, mut b) = (v.clone(), v);
                a.sort_by(|x, y| y.cmp(x));
                sort_by(&mut b, |x, y| y.cmp(x));
                assert_eq!(a, b);
            }
        }
        let mut s = vec!["b", "a", "c", "a"];
        sort(&mut s);
        assert_eq!(s, ["a", "a", "b", "c"]);
    }
}
