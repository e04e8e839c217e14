use std::collections::BTreeMap;
use std::ops::AddAssign;

use serde::Serialize;

/// CPU time the calling thread has used so far, in nanoseconds on a core, where Linux tells
/// it (the first field of `/proc/thread-self/schedstat`); `None` elsewhere.
pub fn thread_cpu_ns() -> Option<u64> {
    let line = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    cpu_ns_of_schedstat(&line)
}

/// The first field of a `schedstat` line.
fn cpu_ns_of_schedstat(line: &str) -> Option<u64> {
    line.split_whitespace().next()?.parse().ok()
}

/// What one stage did, counted by the runtime from each [`crate::Verdict`] on the stage's
/// own thread and merged across workers with `+=` at the end of the run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counters {
    /// Documents the stage received.
    pub docs_in: u64,
    /// Documents it passed on.
    pub docs_out: u64,
    /// Documents it dropped on purpose.
    pub docs_dropped: u64,
    /// Documents it could not process (rejected as errored).
    pub docs_errored: u64,
    /// Dropped documents by reason.
    pub dropped: BTreeMap<String, u64>,
    /// Errored documents by error type.
    pub errored: BTreeMap<String, u64>,
    /// Bytes of text received.
    pub bytes_in: u64,
    /// Bytes of text passed on.
    pub bytes_out: u64,
    /// Time spent processing documents, in nanoseconds summed over workers.
    pub busy_ns: u64,
    /// Time spent waiting for input, in nanoseconds summed over workers.
    pub idle_ns: u64,
    /// Time spent blocked on a full output channel, in nanoseconds summed over workers.
    pub blocked_ns: u64,
    /// Time the stage's threads ran on a core, in nanoseconds summed over workers (0 where
    /// the OS does not tell). Busy time can be much longer when the threads of all stages
    /// share fewer cores.
    pub cpu_ns: u64,
    /// Memory held at the end of the run by an index that grows with the input (the
    /// dedupe stage's), in bytes summed over workers; 0 for stages without one.
    pub index_bytes: u64,
    /// Times such an index gave up speed for memory to stay within its budget (the dedupe
    /// stage's key filters folded to half their size, see its `filter_memory_mb`), summed
    /// over workers; 0 when it never had to.
    pub index_folds: u64,
}

impl Counters {
    /// Records a dropped document under `reason`.
    pub fn count_drop(&mut self, reason: &str) {
        self.docs_dropped += 1;
        *self.dropped.entry(reason.to_owned()).or_default() += 1;
    }

    /// Records an errored document under `error_type`.
    pub fn count_error(&mut self, error_type: &str) {
        self.docs_errored += 1;
        *self.errored.entry(error_type.to_owned()).or_default() += 1;
    }

    /// Whether every document that came in is accounted for:
    /// `docs_in == docs_out + docs_dropped + docs_errored`.
    pub fn balanced(&self) -> bool {
        self.docs_in == self.docs_out + self.docs_dropped + self.docs_errored
    }
}

impl AddAssign<&Counters> for Counters {
    fn add_assign(&mut self, other: &Counters) {
        self.docs_in += other.docs_in;
        self.docs_out += other.docs_out;
        self.docs_dropped += other.docs_dropped;
        self.docs_errored += other.docs_errored;
        for (reason, n) in &other.dropped {
            *self.dropped.entry(reason.clone()).or_default() += n;
        }
        for (kind, n) in &other.errored {
            *self.errored.entry(kind.clone()).or_default() += n;
        }
        self.bytes_in += other.bytes_in;
        self.bytes_out += other.bytes_out;
        self.busy_ns += other.busy_ns;
        self.idle_ns += other.idle_ns;
        self.blocked_ns += other.blocked_ns;
        self.cpu_ns += other.cpu_ns;
        self.index_bytes += other.index_bytes;
        self.index_folds += other.index_folds;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merging_adds_every_field_and_keeps_balance() {
        let mut a = Counters {
            docs_in: 3,
            docs_out: 2,
            ..Counters::default()
        };
        a.count_drop("clean_too_short");
        let mut b = Counters {
            docs_in: 2,
            docs_out: 1,
            ..Counters::default()
        };
        b.count_error("invalid_text");
        b.cpu_ns = 7;
        a.cpu_ns = 1;
        b.index_bytes = 1 << 20;
        a += &b;
        assert_eq!(a.cpu_ns, 8);
        assert_eq!(a.index_bytes, 1 << 20);
        assert_eq!(a.docs_in, 5);
        assert_eq!(a.docs_out, 3);
        assert_eq!(a.dropped["clean_too_short"], 1);
        assert_eq!(a.errored["invalid_text"], 1);
        assert!(a.balanced());
    }

    #[test]
    fn schedstat_lines_give_their_first_field() {
        assert_eq!(cpu_ns_of_schedstat("123 45 6\n"), Some(123));
        assert_eq!(cpu_ns_of_schedstat(""), None);
        assert_eq!(cpu_ns_of_schedstat("x 1 2"), None);
    }
}
