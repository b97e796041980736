//! [`Map`]: a small ordered map kept as a sorted `Vec` of pairs.
//!
//! The maps of a rate card are tiny (a handful of image resolutions, fees, modes) and built
//! once, so a sorted list with binary search is as fast as a B-tree here, iterates in key order
//! just the same, and is far less code: every `BTreeMap<K, V>` brings its own copy of the
//! B-tree's insert, search, clone and drop, which the browser calculator would download once per
//! key and value type. The API is the part of `BTreeMap`'s this crate's users need, under the
//! same names.

use std::borrow::Borrow;
use std::fmt;

/// An ordered map on a sorted `Vec<(K, V)>`; keys are unique and iterate in ascending order.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Map<K, V> {
    entries: Vec<(K, V)>,
}

/// Iterator over `(&key, &value)` in key order.
pub type Iter<'a, K, V> =
    std::iter::Map<std::slice::Iter<'a, (K, V)>, fn(&'a (K, V)) -> (&'a K, &'a V)>;

fn pair<K, V>(e: &(K, V)) -> (&K, &V) {
    (&e.0, &e.1)
}

impl<K, V> Default for Map<K, V> {
    fn default() -> Map<K, V> {
        Map {
            entries: Vec::new(),
        }
    }
}

impl<K, V> Map<K, V> {
    /// An empty map.
    pub fn new() -> Map<K, V> {
        Map::default()
    }
    pub fn len(&self) -> usize {
        self.entries.len()
    }
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
    /// `(&key, &value)` pairs in key order.
    pub fn iter(&self) -> Iter<'_, K, V> {
        self.entries.iter().map(pair as fn(&(K, V)) -> (&K, &V))
    }
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &K> + ExactSizeIterator {
        self.entries.iter().map(|(k, _)| k)
    }
    /// Keeps the pairs `keep` accepts.
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        self.entries.retain_mut(|(k, v)| keep(k, v));
    }
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + ExactSizeIterator {
        self.entries.iter().map(|(_, v)| v)
    }
    /// The values in key order, to change in place (keys cannot change, so the order holds).
    pub fn values_mut(&mut self) -> impl DoubleEndedIterator<Item = &mut V> + ExactSizeIterator {
        self.entries.iter_mut().map(|(_, v)| v)
    }
}

impl<K: Ord, V> Map<K, V> {
    fn find<Q: Ord + ?Sized>(&self, key: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
    {
        self.entries.binary_search_by(|(k, _)| k.borrow().cmp(key))
    }
    /// The value for `key`.
    pub fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        let i = self.find(key).ok()?;
        self.entries.get(i).map(|(_, v)| v)
    }
    /// The value for `key`, to change in place.
    pub fn get_mut<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        let i = self.find(key).ok()?;
        self.entries.get_mut(i).map(|(_, v)| v)
    }
    pub fn contains_key<Q: Ord + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.find(key).is_ok()
    }
    /// Sets `key` to `value`, returning the value it replaces.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(i) => self
                .entries
                .get_mut(i)
                .map(|(_, v)| std::mem::replace(v, value)),
            Err(i) => {
                self.entries.insert(i, (key, value));
                None
            }
        }
    }
    /// Takes `key` out of the map.
    pub fn remove<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        let i = self.find(key).ok()?;
        Some(self.entries.remove(i).1)
    }
}

impl<K: Ord, V> FromIterator<(K, V)> for Map<K, V> {
    /// Later pairs replace earlier ones with the same key, as with `BTreeMap`.
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Map<K, V> {
        let mut m = Map::new();
        m.extend(iter);
        m
    }
}

impl<K: Ord, V> Extend<(K, V)> for Map<K, V> {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl<K, V> IntoIterator for Map<K, V> {
    type Item = (K, V);
    type IntoIter = std::vec::IntoIter<(K, V)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl<'a, K, V> IntoIterator for &'a Map<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = Iter<'a, K, V>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for Map<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<K: serde::Serialize, V: serde::Serialize> serde::Serialize for Map<K, V> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

#[cfg(feature = "schema")]
#[allow(
    clippy::disallowed_types,
    reason = "names the BTreeMap type only for its JSON Schema (feature `schema`, off the page's path)"
)]
impl<K: schemars::JsonSchema, V: schemars::JsonSchema> schemars::JsonSchema for Map<K, V> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        <std::collections::BTreeMap<K, V>>::schema_name()
    }
    fn schema_id() -> std::borrow::Cow<'static, str> {
        <std::collections::BTreeMap<K, V>>::schema_id()
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        <std::collections::BTreeMap<K, V>>::json_schema(g)
    }
    fn inline_schema() -> bool {
        <std::collections::BTreeMap<K, V>>::inline_schema()
    }
}

#[cfg(test)]
#[allow(
    clippy::disallowed_types,
    reason = "the tests compare Map with the BTreeMap it stands in for"
)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    proptest! {
        /// Any sequence of inserts and removes leaves the same contents, in the same order, as
        /// a `BTreeMap` given the same sequence, and every lookup agrees.
        #[test]
        fn behaves_like_btreemap(ops in proptest::collection::vec((any::<bool>(), 0u8..16, any::<u16>()), 0..80)) {
            let mut ours: Map<u8, u16> = Map::new();
            let mut theirs: BTreeMap<u8, u16> = BTreeMap::new();
            for (insert, k, v) in ops {
                if insert {
                    prop_assert_eq!(ours.insert(k, v), theirs.insert(k, v));
                } else {
                    prop_assert_eq!(ours.remove(&k), theirs.remove(&k));
                }
            }
            prop_assert_eq!(ours.len(), theirs.len());
            let a: Vec<(u8, u16)> = ours.iter().map(|(k, v)| (*k, *v)).collect();
            let b: Vec<(u8, u16)> = theirs.iter().map(|(k, v)| (*k, *v)).collect();
            prop_assert_eq!(a, b);
            for k in 0u8..16 {
                prop_assert_eq!(ours.get(&k), theirs.get(&k));
                prop_assert_eq!(ours.contains_key(&k), theirs.contains_key(&k));
            }
        }
    }

    #[test]
    fn string_keys_look_up_by_str_and_debug_as_a_map() {
        let m: Map<String, u64> = [("4K".to_string(), 2000), ("1K".to_string(), 1120)]
            .into_iter()
            .collect();
        assert_eq!(m.get("1K"), Some(&1120));
        assert_eq!(m.get("2K"), None);
        assert_eq!(m.keys().collect::<Vec<_>>(), ["1K", "4K"]);
        assert_eq!(format!("{m:?}"), r#"{"1K": 1120, "4K": 2000}"#);
    }
}
