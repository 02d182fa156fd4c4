//! Stable sorting that compiles the standard library's sort once for the whole portal.

use std::cmp::Ordering;

/// Sorts `v` stably by `cmp`: the same order as `v.sort_by(cmp)`.
// The standard sort is large and compiled anew for every element type; here it only ever
// sorts indices, through one `dyn` comparison, so the wasm holds one copy.
pub fn sort_by<T>(v: &mut Vec<T>, cmp: impl Fn(&T, &T) -> Ordering) {
    let order = sorted_indices(v.len(), &|a, b| cmp(&v[a], &v[b]));
    let mut slots: Vec<Option<T>> = v.drain(..).map(Some).collect();
    v.extend(order.into_iter().filter_map(|i| slots[i].take()));
}

fn sorted_indices(len: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    order.sort_by(|a, b| cmp(*a, *b));
    order
}

#[cfg(test)]
mod tests {
    use super::sort_by;
    use proptest::prelude::*;

    #[test]
    fn sorts_stably() {
        let mut v = vec![(3, 'a'), (1, 'b'), (3, 'c'), (2, 'd'), (1, 'e')];
        let mut expected = v.clone();
        expected.sort_by_key(|p| p.0);
        sort_by(&mut v, |a, b| a.0.cmp(&b.0));
        assert_eq!(v, expected);
    }

    proptest! {
        /// The same order as the standard library's stable sort, for any input.
        #[test]
        fn same_order_as_std(v in proptest::collection::vec((0_u8..5, any::<u16>()), 0..200)) {
            let mut ours = v.clone();
            let mut std_sorted = v;
            std_sorted.sort_by_key(|p| p.0);
            sort_by(&mut ours, |a, b| a.0.cmp(&b.0));
            prop_assert_eq!(ours, std_sorted);
        }
    }
}
