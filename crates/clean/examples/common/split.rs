//! The tuning/held-out split shared by `eval_clean` and `train_scorer`: one rule, so the
//! scorer is never trained on a page the evaluation holds out.

/// FNV-1a of a page id; even values are the tuning half.
pub fn fnv(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Whether the page `id` is in the tuning half.
pub fn is_tuning(id: &str) -> bool {
    fnv(id) & 1 == 0
}

/// `s` with every whitespace run turned into one space, as snippets are compared.
pub fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
