//! Progress on stderr while a run goes: indicatif bars on a terminal, a plain status line
//! every few seconds otherwise (CI logs, files).

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How progress is shown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ProgressMode {
    /// Bars when stderr is a terminal, plain lines otherwise.
    #[default]
    Auto,
    /// Always bars.
    Bars,
    /// A plain status line every few seconds.
    Lines,
    /// Nothing.
    Off,
}

/// Counters the pipeline's threads update (per batch, not per document) and the monitor
/// reads.
#[derive(Debug)]
pub(crate) struct Live {
    pub bytes_read: Arc<AtomicU64>,
    pub total_bytes: u64,
    /// Items (documents and read rejections) that left the reader.
    pub read_items: AtomicU64,
    /// Documents that entered each stage, then the sink's written items last.
    pub stage_items: Vec<AtomicU64>,
    /// Text bytes that entered each stage, in the same order.
    pub stage_bytes: Vec<AtomicU64>,
    pub names: Vec<String>,
    pub done: AtomicBool,
}

impl Live {
    pub fn new(bytes_read: Arc<AtomicU64>, total_bytes: u64, names: Vec<String>) -> Self {
        Live {
            bytes_read,
            total_bytes,
            read_items: AtomicU64::new(0),
            stage_items: names.iter().map(|_| AtomicU64::new(0)).collect(),
            stage_bytes: names.iter().map(|_| AtomicU64::new(0)).collect(),
            names,
            done: AtomicBool::new(false),
        }
    }
}

/// Draws progress until `live.done` is set. Runs on its own thread.
pub(crate) fn monitor(live: &Live, mode: ProgressMode) {
    let mode = match mode {
        ProgressMode::Auto if std::io::stderr().is_terminal() => ProgressMode::Bars,
        ProgressMode::Auto => ProgressMode::Lines,
        other => other,
    };
    match mode {
        ProgressMode::Bars => bars(live),
        ProgressMode::Lines => lines(live),
        _ => {}
    }
}

fn bars(live: &Live) {
    let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr_with_hz(10));
    let read_style = ProgressStyle::with_template(
        "{prefix:>16} [{bar:30.cyan/blue}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .progress_chars("=> ");
    let stage_style =
        ProgressStyle::with_template("{prefix:>16} {pos:>9} docs {docs_per_sec:>9} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .with_key(
                "docs_per_sec",
                |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(w, "{:.0}/s", state.per_sec());
                },
            );
    let started = Instant::now();
    let read = multi.add(
        ProgressBar::new(live.total_bytes)
            .with_style(read_style)
            .with_prefix("read"),
    );
    let stages: Vec<ProgressBar> = live
        .names
        .iter()
        .map(|name| {
            multi.add(
                ProgressBar::new(0)
                    .with_style(stage_style.clone())
                    .with_prefix(name.clone()),
            )
        })
        .collect();
    while !live.done.load(Ordering::Acquire) {
        read.set_position(live.bytes_read.load(Ordering::Relaxed));
        let secs = started.elapsed().as_secs_f64().max(1e-9);
        for ((bar, count), bytes) in stages.iter().zip(&live.stage_items).zip(&live.stage_bytes) {
            bar.set_position(count.load(Ordering::Relaxed));
            bar.set_message(format!(
                "{:6.1} MB/s",
                bytes.load(Ordering::Relaxed) as f64 / 1e6 / secs
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    read.finish_and_clear();
    for bar in stages {
        bar.finish_and_clear();
    }
    let _ = multi.clear();
}

fn lines(live: &Live) {
    let started = Instant::now();
    let mut last = Instant::now();
    while !live.done.load(Ordering::Acquire) {
        std::thread::sleep(Duration::from_millis(100));
        if last.elapsed() < Duration::from_secs(5) {
            continue;
        }
        last = Instant::now();
        let read = live.bytes_read.load(Ordering::Relaxed);
        let secs = started.elapsed().as_secs_f64();
        let mut line = format!(
            "progress: read {:.1} of {:.1} MB ({:.0}%), {:.1} MB/s",
            read as f64 / 1e6,
            live.total_bytes as f64 / 1e6,
            100.0 * read as f64 / live.total_bytes.max(1) as f64,
            read as f64 / 1e6 / secs.max(1e-9)
        );
        for (name, count) in live.names.iter().zip(&live.stage_items) {
            line.push_str(&format!("; {name} {} docs", count.load(Ordering::Relaxed)));
        }
        eprintln!("{line}");
    }
}
