use std::collections::BTreeMap;

use pipeline_core::{Document, Rejected};

/// What travels through the channels: documents still in the pipeline and the rejections
/// made so far, so that both reach the sink in input order.
#[derive(Debug, Default)]
pub(crate) struct Batch {
    /// Position of the batch in the source's output, from 0 without gaps; every stage
    /// forwards exactly one batch per batch it receives (possibly empty) with the same
    /// `seq`, so order can be restored anywhere downstream.
    pub seq: u64,
    /// Whether the batch comes from a stage's `finish` rather than from the source; such
    /// batches follow every numbered one.
    pub tail: bool,
    pub docs: Vec<Document>,
    pub rejected: Vec<Rejected>,
}

impl Batch {
    pub fn new(seq: u64, capacity: usize) -> Self {
        Batch {
            seq,
            tail: false,
            docs: Vec::with_capacity(capacity),
            rejected: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.docs.len() + self.rejected.len()
    }
}

/// Restores input order from batches that arrive out of order (several workers upstream).
/// Holds only the batches that overtook a slower one.
#[derive(Debug, Default)]
pub(crate) struct Reorder {
    next: u64,
    pending: BTreeMap<u64, Batch>,
    tails: Vec<Batch>,
}

impl Reorder {
    /// Takes a batch and returns those now ready, in order.
    pub fn push(&mut self, batch: Batch) -> Vec<Batch> {
        if batch.tail {
            self.tails.push(batch);
            return Vec::new();
        }
        self.pending.insert(batch.seq, batch);
        let mut ready = Vec::new();
        while let Some(batch) = self.pending.remove(&self.next) {
            ready.push(batch);
            self.next += 1;
        }
        ready
    }

    /// After the input ended: whatever is left, numbered batches first, then tail batches.
    pub fn drain(&mut self) -> Vec<Batch> {
        let mut rest: Vec<Batch> = std::mem::take(&mut self.pending).into_values().collect();
        rest.append(&mut self.tails);
        rest
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(seq: u64, tail: bool) -> Batch {
        Batch {
            seq,
            tail,
            ..Batch::default()
        }
    }

    #[test]
    fn batches_come_out_in_order_with_tails_last() {
        let mut reorder = Reorder::default();
        assert!(reorder.push(batch(1, false)).is_empty());
        assert!(reorder.push(batch(0, true)).is_empty());
        let ready: Vec<u64> = reorder
            .push(batch(0, false))
            .iter()
            .map(|b| b.seq)
            .collect();
        assert_eq!(ready, vec![0, 1]);
        assert_eq!(reorder.push(batch(2, false)).len(), 1);
        let rest = reorder.drain();
        assert_eq!(rest.len(), 1);
        assert!(rest[0].tail);
    }
}
