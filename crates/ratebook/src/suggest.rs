//! "Did you mean …?" for misspelled keys of a pricing file.
//!
//! Typing mistakes in keys are mostly one wrong, missing, extra or swapped letter
//! (`cache_reed`, `inptu`, `efective`), so the distance counts a swap of two neighbouring
//! letters as one edit (optimal string alignment), not two as plain Levenshtein does.

/// The candidate closest to `word`, if it is close enough to be the intended key: at most one
/// edit per three letters of `word` (and at least one), compared ignoring ASCII case (keys and
/// names are ASCII; `to_lowercase` would bring Unicode's case tables into the page). Ties go to
/// the earliest candidate.
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let word = word.to_ascii_lowercase();
    let chars = word.chars().count();
    let limit = (chars / 3).max(1);
    let mut best: Option<(usize, &'a str)> = None;
    for c in candidates {
        // The distance is at least the length difference: a candidate that far apart is out of
        // reach without computing it (which takes the product of the lengths).
        if chars.abs_diff(c.chars().count()) > limit {
            continue;
        }
        let d = distance(&word, &c.to_ascii_lowercase());
        if d <= limit && best.is_none_or(|(b, _)| d < b) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
/// adjacent characters each cost one.
#[allow(
    clippy::arithmetic_side_effects,
    reason = "indices: `i - 1`, `j - 1` with i, j ≥ 1 and `i - 2`, `j - 2` only when i, j > 1; \
              `b.len() + 1` of a `Vec<char>` fits; a distance is at most a.len() + b.len()"
)]
pub fn distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    // Three rows of the dynamic-programming table: two back, one back, current.
    let mut two: Vec<usize> = vec![0; b.len() + 1];
    let mut one: Vec<usize> = (0..=b.len()).collect();
    let mut cur: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (one[j - 1] + cost).min(one[j] + 1).min(cur[j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(two[j - 2] + 1);
            }
            cur[j] = d;
        }
        std::mem::swap(&mut two, &mut one);
        std::mem::swap(&mut one, &mut cur);
    }
    one[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_skips_only_candidates_out_of_reach() {
        let candidates = [
            "input",
            "output",
            "cache_read",
            "cache_write",
            "effective",
            "a",
            "abcdefghijklmnop",
        ];
        for word in [
            "inptu",
            "outptu",
            "cache_reed",
            "efective",
            "b",
            "ab",
            "abcdefghijklmno",
            "zzzz",
            "cache_write_1h_extra",
            "",
        ] {
            // The same choice as comparing with every candidate.
            let lower = word.to_ascii_lowercase();
            let limit = (word.chars().count() / 3).max(1);
            let mut best: Option<(usize, &str)> = None;
            for c in candidates {
                let d = distance(&lower, &c.to_ascii_lowercase());
                if d <= limit && best.is_none_or(|(b, _)| d < b) {
                    best = Some((d, c));
                }
            }
            assert_eq!(closest(word, &candidates), best.map(|(_, c)| c), "{word}");
        }
    }

    #[test]
    fn distance_counts_a_swap_as_one_edit() {
        assert_eq!(distance("cache_read", "cache_read"), 0);
        assert_eq!(distance("cache_reed", "cache_read"), 1);
        assert_eq!(distance("inptu", "input"), 1);
        assert_eq!(distance("efective", "effective"), 1);
        assert_eq!(distance("ab", "ba"), 1);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("abc", ""), 3);
        assert_eq!(distance("kitten", "sitting"), 3);
    }

    #[test]
    fn closest_suggests_only_near_misses() {
        let keys = [
            "input",
            "cache_read",
            "cache_write_5m",
            "cache_write_1h",
            "output",
        ];
        assert_eq!(closest("cache_reed", &keys), Some("cache_read"));
        assert_eq!(closest("Cache_Read", &keys), Some("cache_read"));
        assert_eq!(closest("outptu", &keys), Some("output"));
        // Two equally close candidates: the first listed wins.
        assert_eq!(closest("cache_write", &keys), Some("cache_write_5m"));
        assert_eq!(closest("colour", &keys), None);
        assert_eq!(closest("x", &keys), None);
        assert_eq!(closest("cached", &[]), None);
    }
}
