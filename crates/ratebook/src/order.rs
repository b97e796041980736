//! A stable sort whose algorithm is compiled once, whatever is being sorted.
//!
//! `slice::sort_by` is generic: every element type and comparator it is called with gets its
//! own copy of the whole sort (some 4 KB of WebAssembly each). The browser calculator sorts a
//! dozen different things, so this module sorts *positions* instead: the comparator is called
//! through `dyn`, the position sort (a small merge sort) exists once, and only the few lines
//! that move the elements into place are generic. The result is exactly that of
//! `slice::sort_by` (stable, same order).
//!
//! The lists sorted here are short (models, rows, line items); the extra indirection costs
//! nothing measurable against the size it saves.

use std::cmp::Ordering;

/// Sorts `v` stably by `cmp`, like `v.sort_by(cmp)`.
pub fn sort_by<T>(v: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    let mut dest = destinations(v.len(), &mut |a, b| match (v.get(a), v.get(b)) {
        (Some(x), Some(y)) => cmp(x, y),
        _ => Ordering::Equal,
    });
    // Apply the permutation by cycles: every swap puts one element in its final place.
    for i in 0..v.len() {
        while let Some(&d) = dest.get(i) {
            if d == i || d >= v.len() {
                break;
            }
            v.swap(i, d);
            dest.swap(i, d);
        }
    }
}

/// Sorts `v` stably by the key `f` gives, like `v.sort_by_key(f)`.
pub fn sort_by_key<T, K: Ord>(v: &mut [T], mut f: impl FnMut(&T) -> K) {
    sort_by(v, |a, b| f(a).cmp(&f(b)));
}

/// Sorts `v` stably in its natural order, like `v.sort()`.
pub fn sort<T: Ord>(v: &mut [T]) {
    sort_by(v, T::cmp);
}

/// Where each of `n` positions goes when sorted by `cmp`: `dest[i]` is the final index of the
/// element now at `i`. The one sort in the module, and the only sort on the page's path: a
/// bottom-up merge sort of positions (stable: on a tie the left run's position goes first),
/// written out because the standard library's stable sort is several KB of WebAssembly.
fn destinations(n: usize, cmp: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    let mut merged: Vec<usize> = vec![0; n];
    let mut width: usize = 1;
    while width < n {
        let mut start = 0;
        while start < n {
            let mid = start.saturating_add(width).min(n);
            let end = mid.saturating_add(width).min(n);
            merge(&order, start, mid, end, &mut merged, cmp);
            start = end;
        }
        std::mem::swap(&mut order, &mut merged);
        width = width.saturating_mul(2);
    }
    let mut dest = vec![0; n];
    for (to, &from) in order.iter().enumerate() {
        if let Some(slot) = dest.get_mut(from) {
            *slot = to;
        }
    }
    dest
}

/// Merges the sorted runs `from[start..mid]` and `from[mid..end]` into `into[start..end]`.
fn merge(
    from: &[usize],
    start: usize,
    mid: usize,
    end: usize,
    into: &mut [usize],
    cmp: &mut dyn FnMut(usize, usize) -> Ordering,
) {
    let (mut i, mut j) = (start, mid);
    for slot in into.iter_mut().take(end).skip(start) {
        let next = match (
            from.get(i).filter(|_| i < mid),
            from.get(j).filter(|_| j < end),
        ) {
            (Some(&a), Some(&b)) if cmp(a, b) == Ordering::Greater => {
                j = j.saturating_add(1);
                b
            }
            (Some(&a), _) => {
                i = i.saturating_add(1);
                a
            }
            (None, Some(&b)) => {
                j = j.saturating_add(1);
                b
            }
            (None, None) => break,
        };
        *slot = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Same result as the standard library's stable sort, ties included.
        #[test]
        fn matches_std_stable_sort(v in proptest::collection::vec((0u8..6, any::<u16>()), 0..64)) {
            let mut ours = v.clone();
            sort_by_key(&mut ours, |(k, _)| *k);
            let mut std_sorted = v.clone();
            #[allow(clippy::disallowed_methods, reason = "the standard sort is the reference")]
            std_sorted.sort_by_key(|(k, _)| *k);
            prop_assert_eq!(ours, std_sorted);
        }
    }

    #[test]
    fn sorts_strings_and_reverses() {
        let mut v = vec!["pear", "apple", "fig", "apple"];
        sort(&mut v);
        assert_eq!(v, ["apple", "apple", "fig", "pear"]);
        sort_by(&mut v, |a, b| b.cmp(a));
        assert_eq!(v, ["pear", "fig", "apple", "apple"]);
        let mut empty: Vec<u8> = Vec::new();
        sort(&mut empty);
        assert!(empty.is_empty());
    }
}
