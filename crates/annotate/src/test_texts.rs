//! Random texts for the tests that check a fast scan against the plain one it replaced.

/// `count` texts, each of up to `max_parts - 1` pieces of `parts` in a random order,
/// the same for the same `seed` (xorshift).
pub(crate) fn random_texts<'p>(
    parts: &'p [&'p str],
    count: usize,
    max_parts: u64,
    seed: u64,
) -> impl Iterator<Item = String> + 'p {
    let mut state = seed;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..count).map(move |_| {
        let mut text = String::new();
        for _ in 0..next() % max_parts {
            text.push_str(parts[(next() % parts.len() as u64) as usize]);
        }
        text
    })
}
