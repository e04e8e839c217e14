//! A fixed pseudo-random sequence for the tests' generated inputs.

/// Xorshift64: `next` advances the state and returns it; the state (field 0) may be read
/// without advancing.
pub(crate) struct XorShift(pub(crate) u64);

impl XorShift {
    pub(crate) fn next(&mut self) -> u64 {
        let state = &mut self.0;
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }
}
