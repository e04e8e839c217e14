//! Single-thread throughput of the annotation stage on the seeds repeated to about 20 MB.
//!
//! ```text
//! cargo run --release -p pipeline-annotate --example bench
//! ```

use std::time::Instant;

use pipeline_annotate::AnnotateConfig;
use pipeline_core::Document;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../seeds");
    let mut seeds = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        seeds.push(std::fs::read_to_string(entry?.path())?);
    }
    seeds.sort();
    let target = 20 * 1024 * 1024;
    let mut docs = Vec::new();
    let mut bytes = 0;
    while bytes < target {
        for s in &seeds {
            bytes += s.len();
            docs.push(Document::new("b", s.clone()));
        }
    }
    let mut stage = AnnotateConfig::default().build_stage()?;
    let started = Instant::now();
    let mut spans = 0;
    for mut doc in docs {
        stage.annotate(&mut doc);
        spans += doc
            .annotations
            .values()
            .filter_map(|v| v.as_array())
            .map(Vec::len)
            .sum::<usize>();
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{:.1} MB in {:.2} s: {:.1} MB/s ({spans} spans)",
        bytes as f64 / 1e6,
        secs,
        bytes as f64 / 1e6 / secs
    );
    Ok(())
}
