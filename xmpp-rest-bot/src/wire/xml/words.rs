//! Eight bytes at a time: the word tests the scanner reads texts and
//! attribute values with.

/// Eight bytes at a time ("SWAR"): whether a word holds a byte, or one
/// below a bound, in a handful of integer operations instead of a branch
/// per byte. Texts and attribute values are read this way up to the word
/// that ends them.
const ONES: u64 = 0x0101_0101_0101_0101;
pub(super) const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The eight bytes at `at`, when there are eight.
#[inline(always)]
pub(super) fn word_at(bytes: &[u8], at: usize) -> Option<u64> {
    let word: [u8; 8] = bytes.get(at..at + 8)?.try_into().ok()?;
    Some(u64::from_le_bytes(word))
}

/// Not zero when `word` holds the byte `b`.
#[inline(always)]
pub(super) fn bytes_equal(word: u64, b: u8) -> u64 {
    let x = word ^ (ONES * u64::from(b));
    x.wrapping_sub(ONES) & !x & HIGHS
}

/// Not zero when `word` holds a byte below `n` (at most 128).
#[inline(always)]
pub(super) fn bytes_below(word: u64, n: u8) -> u64 {
    word.wrapping_sub(ONES * u64::from(n)) & !word & HIGHS
}
