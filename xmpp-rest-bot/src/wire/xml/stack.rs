//! A stack that keeps its first `N` items inline and moves to the heap only
//! beyond: the reader's open elements, namespace declarations and attributes
//! of a stanza fit inline, so that decoding one allocates nothing for them
//! (a heap buffer per request costs a malloc and a free, about as much as
//! reading a short element).

/// An item that an inline slot can hold when it holds nothing.
pub(super) trait Blank {
    fn blank() -> Self;
}

impl Blank for &str {
    fn blank() -> Self {
        ""
    }
}

pub(super) struct Stack<T, const N: usize> {
    inline: [T; N],
    /// Items on the stack, wherever they are (kept in step with `heap`
    /// once it is in use, so that reading it needs no test).
    len: usize,
    /// All the items, once there were more than `N`; from then on the
    /// stack stays here (its capacity is reused).
    heap: Vec<T>,
    spilled: bool,
}

impl<T: Blank, const N: usize> Stack<T, N> {
    #[inline(always)]
    pub(super) fn new() -> Self {
        Stack {
            inline: std::array::from_fn(|_| T::blank()),
            len: 0,
            heap: Vec::new(),
            spilled: false,
        }
    }

    #[inline(always)]
    pub(super) fn push(&mut self, item: T) {
        if self.spilled {
            self.heap.push(item);
            self.len += 1;
        } else if let Some(slot) = self.inline.get_mut(self.len) {
            *slot = item;
            self.len += 1;
        } else {
            self.heap.reserve(2 * N);
            let inline = self.inline.iter_mut().take(self.len);
            self.heap
                .extend(inline.map(|slot| std::mem::replace(slot, T::blank())));
            self.heap.push(item);
            self.spilled = true;
            self.len += 1;
        }
    }

    /// Drops the items from `len` on (inline slots keep them until they
    /// are overwritten: at most `N` items, dropped with the stack).
    #[inline]
    pub(super) fn truncate(&mut self, len: usize) {
        if self.spilled {
            self.heap.truncate(len);
        }
        self.len = self.len.min(len);
    }

    #[inline]
    pub(super) fn len(&self) -> usize {
        self.len
    }

    #[inline]
    pub(super) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    #[inline]
    pub(super) fn as_slice(&self) -> &[T] {
        if self.spilled {
            &self.heap
        } else {
            self.inline.get(..self.len).unwrap_or_default()
        }
    }

    #[inline]
    pub(super) fn as_mut_slice(&mut self) -> &mut [T] {
        if self.spilled {
            &mut self.heap
        } else {
            self.inline.get_mut(..self.len).unwrap_or_default()
        }
    }

    #[inline]
    pub(super) fn last(&self) -> Option<&T> {
        self.as_slice().last()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spills_to_the_heap_and_keeps_the_order() {
        let mut stack: Stack<&str, 2> = Stack::new();
        assert!(stack.as_slice().is_empty());
        stack.push("a");
        stack.push("b");
        assert_eq!(stack.as_slice(), ["a", "b"]);
        assert!(!stack.spilled);
        stack.push("c");
        assert!(stack.spilled);
        assert_eq!(stack.as_slice(), ["a", "b", "c"]);
        assert_eq!(stack.last(), Some(&"c"));
        stack.truncate(1);
        assert_eq!(stack.as_slice(), ["a"]);
        stack.as_mut_slice()[0] = "z";
        stack.truncate(0);
        assert_eq!(stack.len(), 0);
        stack.push("d");
        assert_eq!(stack.as_slice(), ["d"]);
    }
}
