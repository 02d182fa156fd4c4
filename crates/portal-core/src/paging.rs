//! Where a pager's links go: pages are numbered from 0 (the API's `offset` is a page number).

/// The pages a pager links to; `None` where a link is shown disabled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PagerTargets {
    /// Page 0, unless it is the current page.
    pub first: Option<u32>,
    /// The page before, never past the last (a link beyond the end leads back into the result).
    pub prev: Option<u32>,
    /// The page after, while there is one.
    pub next: Option<u32>,
    /// The last page, unless it is the current page.
    pub last: Option<u32>,
}

impl PagerTargets {
    /// The links from page `offset` of a result whose last page is `last_offset`.
    pub fn new(offset: u32, last_offset: u32) -> Self {
        Self {
            first: (offset > 0).then_some(0),
            prev: offset.checked_sub(1).map(|p| p.min(last_offset)),
            next: (offset < last_offset).then(|| offset + 1),
            last: (offset != last_offset).then_some(last_offset),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::PagerTargets;
    use proptest::prelude::*;

    #[test]
    fn ends_and_middle() {
        let t = PagerTargets::new(0, 0);
        assert_eq!((t.first, t.prev, t.next, t.last), (None, None, None, None));
        let t = PagerTargets::new(0, 4);
        assert_eq!(
            (t.first, t.prev, t.next, t.last),
            (None, None, Some(1), Some(4))
        );
        let t = PagerTargets::new(2, 4);
        assert_eq!(
            (t.first, t.prev, t.next, t.last),
            (Some(0), Some(1), Some(3), Some(4))
        );
        let t = PagerTargets::new(4, 4);
        assert_eq!(
            (t.first, t.prev, t.next, t.last),
            (Some(0), Some(3), None, None)
        );
        // Past the end (an old link to a result that shrank): back into the result.
        let t = PagerTargets::new(9, 4);
        assert_eq!(
            (t.first, t.prev, t.next, t.last),
            (Some(0), Some(4), None, Some(4))
        );
        let t = PagerTargets::new(u32::MAX, u32::MAX);
        assert_eq!(t.next, None);
    }

    proptest! {
        /// Every link leads to a page of the result, none to the current page, and following
        /// "next" from the first page reaches the last in `last_offset` steps.
        #[test]
        fn links_stay_in_the_result(offset in 0_u32..1_000, last in 0_u32..1_000) {
            let t = PagerTargets::new(offset, last);
            for p in [t.first, t.prev, t.next, t.last].into_iter().flatten() {
                prop_assert!(p <= last);
                prop_assert_ne!(p, offset);
            }
            prop_assert_eq!(t.next.is_some(), offset < last);
            prop_assert_eq!(t.prev.is_some(), offset > 0);
        }

        #[test]
        fn next_walks_to_the_last_page(last in 0_u32..300) {
            let (mut page, mut steps) = (0, 0);
            while let Some(n) = PagerTargets::new(page, last).next {
                prop_assert_eq!(n, page + 1);
                page = n;
                steps += 1;
            }
            prop_assert_eq!((page, steps), (last, last));
        }
    }
}
