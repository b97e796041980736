//! A stable sort whose algorithm is compiled once, whatever is being sorted.
//!
//! `slice::sort_by` is generic: every element type and comparator it is called with gets its
//! own copy of the whole sort (some 4 KB of WebAssembly each). The browser calculator sorts a
//! dozen different things, so this module sorts *positions* instead: the comparator is called
//! through `dyn`, the position sort exists once, and only the few lines that move the elements
//! into place are generic. The result is exactly that of `slice::sort_by` (stable, same order).
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
/// element now at `i`. The one monomorphic sort in the module.
fn destinations(n: usize, cmp: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| cmp(a, b));
    let mut dest = vec![0; n];
    for (to, &from) in order.iter().enumerate() {
        if let Some(slot) = dest.get_mut(from) {
            *slot = to;
        }
    }
    dest
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
