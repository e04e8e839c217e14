//! End-to-end benchmark of the pipeline: builds (or takes) a corpus of real German news
//! text with exact and near duplicates at known rates, runs the whole pipeline in-process
//! through `pipeline-runtime` once per worker count and stage list, each run in a child
//! process of its own (peak RSS never goes down within a process), and prints per run:
//! end-to-end MB/s, MB/s per core, documents/s, CPU time, peak RSS, and per stage the MB/s
//! per busy second and the busy/idle/blocked shares of its threads.
//!
//! ```text
//! cargo bench --bench pipeline -- --size-mb 100 --workers 1,2 [--cores 1,2] [--no-annotate] \
//!     [--repeat 3] [--corpus FILE | --data DIR] [--save-corpus FILE] [--json FILE]
//! ```
//!
//! See `benches/README.md` for what the corpus holds and how to read the table.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::Parser;
use serde_json::{json, Value};

/// The allocator the `pipeline` binary ships with, so the figures are those of the binary.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Command-line arguments (after `cargo bench --bench pipeline --`).
#[derive(Debug, Parser)]
#[command(about = "End-to-end benchmark of the pipeline")]
struct Args {
    /// Corpus size in MB (10^6 bytes of text) when the corpus is generated.
    #[arg(long, default_value_t = 100.0)]
    size_mb: f64,
    /// Worker counts to run, comma-separated; applied to every parallel stage. `auto` is
    /// one per core of the run (with `--cores`, of the cores it is pinned to).
    #[arg(long, value_delimiter = ',', default_value = "1,2")]
    workers: Vec<Workers>,
    /// Core counts to run on, comma-separated: each run is pinned to that many of the cores
    /// this process may use (its threads can run on no others). Default: all of them,
    /// unpinned. With `--workers`, every pair of counts is run.
    #[arg(long, value_delimiter = ',')]
    cores: Vec<usize>,
    /// Use this JSONL corpus instead of generating one.
    #[arg(long)]
    corpus: Option<PathBuf>,
    /// Keep the generated corpus at this path (to rerun with `--corpus`).
    #[arg(long)]
    save_corpus: Option<PathBuf>,
    /// Folder with `10kgnad/` and `german-news-quotations/` (default `../shared/data`
    /// relative to the repository root).
    #[arg(long)]
    data: Option<PathBuf>,
    /// Only the stage list without annotation.
    #[arg(long)]
    no_annotate: bool,
    /// Only the stage list with annotation.
    #[arg(long, conflicts_with = "no_annotate")]
    annotate_only: bool,
    /// Share of documents that are exact copies of an earlier document.
    #[arg(long, default_value_t = 0.05)]
    exact: f64,
    /// Share of documents that are near copies of an earlier document.
    #[arg(long, default_value_t = 0.05)]
    near: f64,
    /// Seed of the corpus generator.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Run every configuration this many times, in rounds (each round runs every
    /// configuration once, so that a machine slowing down or speeding up affects them
    /// alike), and report each configuration's run of median wall time with the range of
    /// all its runs' walls. With an even count, the faster of the two middle runs.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    repeat: u32,
    /// Also write the results as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Passed by `cargo bench`; ignored.
    #[arg(long, hide = true)]
    bench: bool,
    /// Internal: run one configuration in this process and print its result as JSON.
    #[arg(long, hide = true, requires_all = ["config", "input", "output"])]
    child: bool,
    /// Internal (with `--child`): the config file.
    #[arg(long, hide = true)]
    config: Option<PathBuf>,
    /// Internal (with `--child`): the corpus.
    #[arg(long, hide = true)]
    input: Option<PathBuf>,
    /// Internal (with `--child`): the output folder.
    #[arg(long, hide = true)]
    output: Option<PathBuf>,
    /// Internal (with `--child`): run on this many cores.
    #[arg(long, hide = true)]
    pin: Option<usize>,
}

fn main() -> Result<()> {
    let args = Args::parse();
    if args.child {
        return child(&args);
    }
    let tmp = tempfile::tempdir().context("creating a temporary folder")?;
    let (corpus, generated) = match &args.corpus {
        Some(path) => (path.clone(), None),
        None => {
            let data = args
                .data
                .clone()
                .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data"));
            let path = args
                .save_corpus
                .clone()
                .unwrap_or_else(|| tmp.path().join("corpus.jsonl"));
            // JSONL adds ids and escapes to the text's bytes.
            let corpus_bytes = (args.size_mb * 1e6 * 1.1) as u64;
            let folder = path.parent().filter(|p| !p.as_os_str().is_empty());
            ensure_free_space(folder.unwrap_or(Path::new(".")), corpus_bytes, "the corpus")?;
            let started = Instant::now();
            let stats = generate(&data, &path, &args)?;
            eprintln!(
                "corpus: {} documents, {:.1} MB of text ({} originals, {} exact, {} near copies) in {:.1} s -> {}",
                stats.documents,
                stats.text_bytes as f64 / 1e6,
                stats.originals,
                stats.exact,
                stats.near,
                started.elapsed().as_secs_f64(),
                path.display()
            );
            (path, Some(stats))
        }
    };

    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let core_counts: Vec<Option<usize>> = if args.cores.is_empty() {
        vec![None]
    } else {
        for &n in &args.cores {
            if n == 0 || n > cores {
                bail!("--cores: every count must be between 1 and the {cores} cores this process may use, not {n}");
            }
        }
        args.cores.iter().map(|&n| Some(n)).collect()
    };
    let mut lists = Vec::new();
    if !args.annotate_only {
        lists.push(false);
    }
    if !args.no_annotate {
        lists.push(true);
    }
    // A run's output, its dedup state and spill files, measured at about 2 and 3 times the
    // corpus without and with annotation; one run's output is on disk at a time.
    let corpus_bytes = std::fs::metadata(&corpus)
        .with_context(|| format!("reading {}", corpus.display()))?
        .len();
    let per_byte = if lists.contains(&true) { 3.5 } else { 2.5 };
    ensure_free_space(
        tmp.path(),
        (corpus_bytes as f64 * per_byte) as u64,
        "a run's output",
    )?;
    let mut runs: Vec<Run> = Vec::new();
    for &annotate in &lists {
        for &pin in &core_counts {
            for &workers in &args.workers {
                let label = format!(
                    "{}{}-w{}",
                    if annotate { "annotate" } else { "no-annotate" },
                    pin.map_or(String::new(), |n| format!("-c{n}")),
                    workers
                );
                let config = tmp.path().join(format!("{label}.toml"));
                std::fs::write(&config, config_text(annotate, workers))?;
                runs.push(Run {
                    label,
                    annotate,
                    pin,
                    config,
                    rows: Vec::new(),
                });
            }
        }
    }
    for round in 1..=args.repeat {
        for run in &mut runs {
            let output = tmp.path().join(format!("out-{}", run.label));
            let of_rounds = if args.repeat > 1 {
                format!(" (round {round} of {})", args.repeat)
            } else {
                String::new()
            };
            eprintln!("running {}{of_rounds} …", run.label);
            let result = run_child(&run.config, &corpus, &output, run.pin)?;
            let row = summarize(&run.label, run.annotate, run.pin.unwrap_or(cores), &result)?;
            print_run(&row);
            run.rows.push(row);
            // The output of a 1 GB run is about as large as its input: free the disk.
            let _ = std::fs::remove_dir_all(&output);
        }
    }
    let results: Vec<Value> = runs.into_iter().map(Run::median).collect();
    print_summary(&results);
    print_scaling(&results);
    if let Some(path) = &args.json {
        let value = json!({
            "corpus": corpus.display().to_string(),
            "generated": generated.map(|s| json!({
                "documents": s.documents,
                "text_bytes": s.text_bytes,
                "originals": s.originals,
                "exact": s.exact,
                "near": s.near,
                "seed": args.seed,
            })),
            "cores": cores,
            "runs": results,
        });
        std::fs::write(path, serde_json::to_string_pretty(&value)? + "\n")
            .with_context(|| format!("writing {}", path.display()))?;
        eprintln!("results written to {}", path.display());
    }
    Ok(())
}

/// One configuration of the bench and the rows of its runs.
struct Run {
    label: String,
    annotate: bool,
    pin: Option<usize>,
    config: PathBuf,
    rows: Vec<Value>,
}

impl Run {
    /// The row of the run of median wall time (the faster middle one of an even count),
    /// with every run's wall time and their range added.
    fn median(self) -> Value {
        let mut rows = self.rows;
        let walls: Vec<f64> = rows.iter().map(|r| num(r, "wall_seconds")).collect();
        rows.sort_by(|a, b| num(a, "wall_seconds").total_cmp(&num(b, "wall_seconds")));
        let (min, max) = (
            num(&rows[0], "wall_seconds"),
            num(&rows[rows.len() - 1], "wall_seconds"),
        );
        let mut row = rows.swap_remove((rows.len() - 1) / 2);
        row["runs"] = json!(walls.len());
        row["wall_seconds_of_runs"] = json!(walls);
        row["wall_seconds_min"] = json!(min);
        row["wall_seconds_max"] = json!(max);
        row
    }
}

/// Workers per stage: a count, or `auto` (one per core the run may use, as the config's
/// `workers = "auto"` sizes them).
#[derive(Debug, Clone, Copy)]
enum Workers {
    Count(usize),
    Auto,
}

impl std::str::FromStr for Workers {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "auto" => Ok(Workers::Auto),
            _ => match s.parse() {
                Ok(0) | Err(_) => Err(format!(
                    "a worker count is a whole number of at least 1 or `auto`, not `{s}`"
                )),
                Ok(n) => Ok(Workers::Count(n)),
            },
        }
    }
}

impl std::fmt::Display for Workers {
    /// As `--workers` takes it: `2`, `auto`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Workers::Count(n) => write!(f, "{n}"),
            Workers::Auto => write!(f, "auto"),
        }
    }
}

impl Workers {
    /// As the config writes it: `2`, `"auto"`.
    fn toml(self) -> String {
        match self {
            Workers::Count(n) => n.to_string(),
            Workers::Auto => "\"auto\"".to_owned(),
        }
    }
}

/// The config of one run: clean → detect_language → dedupe (→ annotate), `workers` on
/// every parallel stage and on dedupe's preparation.
fn config_text(annotate: bool, workers: Workers) -> String {
    let workers = workers.toml();
    let mut text = String::from(
        "[pipeline]\nbatch_size = 64\nchannel_capacity = 4\nordered = true\n\n\
         [source]\nformat = \"jsonl\"\n\n",
    );
    text.push_str(&format!(
        "[[stages]]\ntype = \"clean\"\nworkers = {workers}\n\n"
    ));
    text.push_str(&format!(
        "[[stages]]\ntype = \"detect_language\"\nworkers = {workers}\n\n"
    ));
    text.push_str(&format!(
        "[[stages]]\ntype = \"dedupe\"\naction = \"drop\"\nworkers = {workers}\n\n"
    ));
    if annotate {
        text.push_str(&format!(
            "[[stages]]\ntype = \"annotate\"\nworkers = {workers}\n\n"
        ));
    }
    text.push_str("[sink]\ntype = \"jsonl\"\n");
    text
}

// ---------------------------------------------------------------------------------------
// Child: one run in a fresh process.

/// Runs one configuration and prints `{"report": …, "cpu_user_s", "cpu_sys_s"}`.
fn child(args: &Args) -> Result<()> {
    let (Some(config_path), Some(input), Some(output)) = (&args.config, &args.input, &args.output)
    else {
        bail!("--child needs --config, --input and --output");
    };
    if let Some(n) = args.pin {
        pin_to_cores(n)?;
    }
    let text = std::fs::read_to_string(config_path)?;
    let base_dir = config_path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let config = pipeline_runtime::Config::parse(&text, config_path, base_dir)?;
    let options = pipeline_runtime::RunOptions {
        inputs: vec![input.display().to_string()],
        output: Some(output.clone()),
        progress: pipeline_runtime::ProgressMode::Off,
        full: true,
        shard: None,
    };
    let before = cpu_times()?;
    let sampler = RssSampler::start();
    let started = Instant::now();
    let report = pipeline_runtime::run(&config, &options)?;
    let wall = started.elapsed().as_secs_f64();
    let after = cpu_times()?;
    let (anon, file) = sampler.stop();
    let value = json!({
        "report": serde_json::to_value(&report)?,
        "wall_s": wall,
        "cpu_user_s": after.0 - before.0,
        "cpu_sys_s": after.1 - before.1,
        "peak_anon_bytes": anon,
        "peak_file_bytes": file,
    });
    println!("{value}");
    Ok(())
}

/// Restricts this process to the first `n` cores of those it may use, before any thread
/// is started (threads inherit the mask), so that the pipeline's automatic sizing and the
/// kernel see an `n`-core machine.
/// Fails, saying what to do, when the file system of `dir` has less than `needed` bytes free
/// for `what`: a run that fills the disk fails only after minutes.
fn ensure_free_space(dir: &Path, needed: u64, what: &str) -> Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let path = std::ffi::CString::new(dir.as_os_str().as_bytes())
        .with_context(|| format!("{} is not a path the system takes", dir.display()))?;
    // SAFETY: `path` is a NUL-terminated string and `stats` a zeroed struct that statvfs
    // fills in.
    let stats = unsafe {
        let mut stats: libc::statvfs = std::mem::zeroed();
        if libc::statvfs(path.as_ptr(), &mut stats) != 0 {
            return Err(std::io::Error::last_os_error())
                .with_context(|| format!("finding the free space in {}", dir.display()));
        }
        stats
    };
    let free = stats.f_bavail.saturating_mul(stats.f_frsize);
    if free < needed {
        bail!(
            "{what} needs about {} free in {}, which has {}: free some space, or point TMPDIR \
             (and --save-corpus) at a roomier disk",
            size(needed),
            dir.display(),
            size(free)
        );
    }
    Ok(())
}

/// `bytes` in MB, or in GB from 1 GB on.
fn size(bytes: u64) -> String {
    if bytes < 1_000_000_000 {
        format!("{:.0} MB", bytes as f64 / 1e6)
    } else {
        format!("{:.1} GB", bytes as f64 / 1e9)
    }
}

fn pin_to_cores(n: usize) -> Result<()> {
    // SAFETY: `cpu_set_t` is plain data, valid when zeroed; the calls get its true size,
    // and pid 0 is this thread, the only one so far.
    unsafe {
        let mut allowed: libc::cpu_set_t = std::mem::zeroed();
        if libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut allowed) != 0 {
            bail!("sched_getaffinity: {}", std::io::Error::last_os_error());
        }
        let mut chosen: libc::cpu_set_t = std::mem::zeroed();
        let mut taken = 0;
        for cpu in 0..libc::CPU_SETSIZE as usize {
            if taken < n && libc::CPU_ISSET(cpu, &allowed) {
                libc::CPU_SET(cpu, &mut chosen);
                taken += 1;
            }
        }
        if taken < n {
            bail!("--cores {n}: this process may use only {taken} cores");
        }
        if libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &chosen) != 0 {
            bail!("sched_setaffinity: {}", std::io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Samples `RssAnon` and `RssFile` of this process every 20 ms and keeps the largest of
/// each: `VmHWM` alone does not say how much of the peak is heap (which grows with what the
/// run holds) and how much is pages of the binary's read-only tables (the language models,
/// bounded by their size, and given back by the kernel under memory pressure).
struct RssSampler {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    handle: std::thread::JoinHandle<(u64, u64)>,
}

impl RssSampler {
    fn start() -> Self {
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let handle = std::thread::spawn(move || {
            let (mut anon, mut file) = (0u64, 0u64);
            loop {
                let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
                let kb = |field: &str| -> u64 {
                    status
                        .lines()
                        .find_map(|l| l.strip_prefix(field))
                        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
                        .unwrap_or(0)
                };
                anon = anon.max(kb("RssAnon:") * 1024);
                file = file.max(kb("RssFile:") * 1024);
                if flag.load(std::sync::atomic::Ordering::Relaxed) {
                    return (anon, file);
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
        });
        RssSampler { stop, handle }
    }

    /// The largest anonymous and file-backed resident bytes seen.
    fn stop(self) -> (u64, u64) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        self.handle.join().unwrap_or((0, 0))
    }
}

/// User and system CPU seconds of this process, all threads (including ended ones), from
/// `/proc/self/stat` (fields 14 and 15, in clock ticks of 1/100 s: Linux's `USER_HZ`).
fn cpu_times() -> Result<(f64, f64)> {
    let stat = std::fs::read_to_string("/proc/self/stat")
        .context("reading /proc/self/stat (the bench needs Linux for CPU times)")?;
    // The command name (field 2) may hold spaces; fields after it are plain numbers.
    let rest = stat
        .rsplit_once(')')
        .map(|(_, r)| r)
        .context("unexpected /proc/self/stat")?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let tick = |i: usize| -> Result<f64> {
        let v: f64 = fields
            .get(i)
            .context("short /proc/self/stat")?
            .parse()
            .context("bad /proc/self/stat field")?;
        Ok(v / 100.0)
    };
    // `rest` starts at field 3 (state): utime is field 14, stime field 15.
    Ok((tick(11)?, tick(12)?))
}

/// Starts this binary again with `--child` and reads the JSON line it prints.
fn run_child(config: &Path, corpus: &Path, output: &Path, pin: Option<usize>) -> Result<Value> {
    let exe = std::env::current_exe().context("finding the bench binary")?;
    let mut command = Command::new(exe);
    if let Some(n) = pin {
        command.arg("--pin").arg(n.to_string());
    }
    let out = command
        .arg("--child")
        .arg("--config")
        .arg(config)
        .arg("--input")
        .arg(corpus)
        .arg("--output")
        .arg(output)
        .stderr(std::process::Stdio::inherit())
        .output()
        .context("starting the child run")?;
    if !out.status.success() {
        bail!("child run of {} failed: {}", config.display(), out.status);
    }
    let line = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(line.trim()).context("reading the child's result")
}

// ---------------------------------------------------------------------------------------
// The table.

fn num(v: &Value, key: &str) -> f64 {
    v.get(key).and_then(Value::as_f64).unwrap_or(0.0)
}

/// One row of results from a child's report.
fn summarize(label: &str, annotate: bool, cores: usize, r: &Value) -> Result<Value> {
    let report = &r["report"];
    let wall = num(report, "wall_seconds");
    let stages = report["stages"]
        .as_array()
        .context("report without stages")?;
    let read = stages.first().context("report without the read stage")?;
    let text_bytes = num(read, "bytes_out");
    let docs = num(read, "docs_in");
    let threads: usize = stages
        .iter()
        .map(|s| s["workers"].as_u64().unwrap_or(1) as usize)
        .sum();
    let divisor = threads.min(cores).max(1);
    // The most any stage ran: the count asked for, or what `auto` made of the cores.
    let workers = stages
        .iter()
        .map(|s| s["workers"].as_u64().unwrap_or(1))
        .max()
        .unwrap_or(1);
    let cpu = num(r, "cpu_user_s") + num(r, "cpu_sys_s");
    let mb = text_bytes / 1e6;
    let mut per_stage = Vec::new();
    for s in stages {
        let w = s["workers"].as_u64().unwrap_or(1) as f64;
        let total = (wall * 1e9 * w).max(1.0);
        per_stage.push(json!({
            "name": s["name"],
            "workers": s["workers"],
            "docs_in": s["docs_in"],
            "docs_dropped": s["docs_dropped"],
            "mb_per_busy_second": num(s, "mb_per_busy_second"),
            "busy_seconds": num(s, "busy_seconds"),
            "busy_share": num(s, "busy_ns") / total,
            "idle_share": num(s, "idle_ns") / total,
            "blocked_share": num(s, "blocked_ns") / total,
            "cpu_seconds": num(s, "cpu_seconds"),
            "mb_per_cpu_second": num(s, "bytes_in") / 1e6 / num(s, "cpu_seconds").max(1e-9),
        }));
    }
    Ok(json!({
        "label": label,
        "annotate": annotate,
        "workers": workers,
        "threads": threads,
        "cores": cores,
        "text_mb": mb,
        "documents": docs,
        "wall_seconds": wall,
        "mb_per_second": mb / wall.max(1e-9),
        "mb_per_second_per_core": mb / wall.max(1e-9) / divisor as f64,
        "core_divisor": divisor,
        "mb_per_cpu_second": mb / cpu.max(1e-9),
        "documents_per_second": docs / wall.max(1e-9),
        "cpu_user_seconds": num(r, "cpu_user_s"),
        "cpu_sys_seconds": num(r, "cpu_sys_s"),
        "peak_rss_mb": report["peak_rss_bytes"].as_f64().map(|b| b / 1e6),
        "peak_anon_mb": r["peak_anon_bytes"].as_f64().map(|b| b / 1e6),
        "peak_file_mb": r["peak_file_bytes"].as_f64().map(|b| b / 1e6),
        "documents_out": report["output"]["documents"],
        "rejected_by_reason": report["rejected_by_reason"],
        "conservation_ok": report["conservation"]["ok"],
        "stages": per_stage,
    }))
}

fn print_run(row: &Value) {
    println!();
    println!(
        "== {}: {:.1} MB, {:.0} documents, {} threads on {}",
        row["label"].as_str().unwrap_or(""),
        num(row, "text_mb"),
        num(row, "documents"),
        row["threads"],
        count(num(row, "cores") as usize, "core")
    );
    println!(
        "   wall {:.2} s | {:.2} MB/s | {:.2} MB/s per core (/{}) | {:.0} docs/s | CPU {:.2} s (user {:.2}, sys {:.2}) = {:.2} MB per CPU-s | peak RSS {} (anonymous {:.0} MB, file-backed {:.0} MB, sampled)",
        num(row, "wall_seconds"),
        num(row, "mb_per_second"),
        num(row, "mb_per_second_per_core"),
        row["core_divisor"],
        num(row, "documents_per_second"),
        num(row, "cpu_user_seconds") + num(row, "cpu_sys_seconds"),
        num(row, "cpu_user_seconds"),
        num(row, "cpu_sys_seconds"),
        num(row, "mb_per_cpu_second"),
        row["peak_rss_mb"]
            .as_f64()
            .map_or("unknown".to_owned(), |m| format!("{m:.0} MB")),
        num(row, "peak_anon_mb"),
        num(row, "peak_file_mb"),
    );
    println!(
        "   {:<16} {:>7} {:>9} {:>9} {:>9} {:>8} {:>7} {:>6} {:>6} {:>8}",
        "stage",
        "workers",
        "docs in",
        "dropped",
        "MB/s busy",
        "MB/CPU-s",
        "CPU s",
        "busy%",
        "idle%",
        "blocked%"
    );
    for s in row["stages"].as_array().into_iter().flatten() {
        println!(
            "   {:<16} {:>7.0} {:>9.0} {:>9.0} {:>9.1} {:>8.1} {:>7.2} {:>6.1} {:>6.1} {:>8.1}",
            s["name"].as_str().unwrap_or(""),
            num(s, "workers"),
            num(s, "docs_in"),
            num(s, "docs_dropped"),
            num(s, "mb_per_busy_second"),
            num(s, "mb_per_cpu_second"),
            num(s, "cpu_seconds"),
            100.0 * num(s, "busy_share"),
            100.0 * num(s, "idle_share"),
            100.0 * num(s, "blocked_share"),
        );
    }
    if let Some(reasons) = row["rejected_by_reason"].as_object() {
        let list: Vec<String> = reasons.iter().map(|(k, v)| format!("{k} {v}")).collect();
        println!("   rejected: {}", list.join(", "));
    }
    if row["conservation_ok"] != Value::Bool(true) {
        println!("   WARNING: the run's conservation check failed");
    }
}

fn print_summary(rows: &[Value]) {
    let repeated = rows.iter().any(|r| num(r, "runs") > 1.0);
    println!();
    if repeated {
        println!("each row: the run of median wall time; \"range\": the walls of all runs");
    }
    println!(
        "{:<22} {:>7} {:>8}{} {:>8} {:>9} {:>10} {:>8} {:>8} {:>9} {:>9}",
        "run",
        "MB",
        "wall s",
        if repeated {
            format!(" {:>13}", "range")
        } else {
            String::new()
        },
        "MB/s",
        "MB/s/core",
        "MB/CPU-s",
        "docs/s",
        "CPU s",
        "peak RSS",
        "anon RSS"
    );
    for row in rows {
        let range = if repeated {
            let span = format!(
                "{:.2}–{:.2}",
                num(row, "wall_seconds_min"),
                num(row, "wall_seconds_max")
            );
            format!(" {span:>13}")
        } else {
            String::new()
        };
        println!(
            "{:<22} {:>7.1} {:>8.2}{} {:>8.2} {:>9.2} {:>10.2} {:>8.0} {:>8.2} {:>9} {:>6.0} MB",
            row["label"].as_str().unwrap_or(""),
            num(row, "text_mb"),
            num(row, "wall_seconds"),
            range,
            num(row, "mb_per_second"),
            num(row, "mb_per_second_per_core"),
            num(row, "mb_per_cpu_second"),
            num(row, "documents_per_second"),
            num(row, "cpu_user_seconds") + num(row, "cpu_sys_seconds"),
            row["peak_rss_mb"]
                .as_f64()
                .map_or("unknown".to_owned(), |m| format!("{m:.0} MB")),
            num(row, "peak_anon_mb"),
        );
    }
}

/// `1 core`, `2 cores`.
fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// For each stage list, every run's speed-up over the run with the fewest cores and then
/// the fewest workers (wall time against wall time, same corpus): what adding cores or
/// workers buys.
fn print_scaling(rows: &[Value]) {
    for annotate in [false, true] {
        let list: Vec<&Value> = rows.iter().filter(|r| r["annotate"] == annotate).collect();
        let key = |r: &Value| (num(r, "cores") as usize, num(r, "workers") as usize);
        let Some(base) = list.iter().min_by_key(|r| key(r)) else {
            continue;
        };
        if list.len() < 2 {
            continue;
        }
        println!();
        println!(
            "speed-up over {} ({}, {} per stage, wall {:.2} s):",
            base["label"].as_str().unwrap_or(""),
            count(key(base).0, "core"),
            count(key(base).1, "worker"),
            num(base, "wall_seconds")
        );
        for row in list.iter().filter(|r| !std::ptr::eq(**r, *base)) {
            println!(
                "  {:<24} {}, {}: wall {:.2} s, {:.2}×",
                row["label"].as_str().unwrap_or(""),
                count(key(row).0, "core"),
                count(key(row).1, "worker"),
                num(row, "wall_seconds"),
                num(base, "wall_seconds") / num(row, "wall_seconds").max(1e-9)
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// The corpus.

/// SplitMix64: small, seedable, good enough to shuffle text.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

/// Lines of page furniture that `clean` should remove.
const BOILERPLATE: &[&str] = &[
    "Jetzt Newsletter abonnieren und keine Nachricht mehr verpassen.",
    "Foto: dpa",
    "Mehr zum Thema",
    "Lesen Sie auch: Die wichtigsten Nachrichten des Tages im Überblick",
    "Alle Rechte vorbehalten. Vervielfältigung nur mit Genehmigung der Redaktion.",
    "Teilen auf Facebook",
    "Artikel drucken",
    "Zur Startseite",
    "Anzeige",
    "Quelle: AFP, Reuters",
    "Das könnte Sie auch interessieren",
];

/// What the generator wrote.
#[derive(Debug, Clone, Copy, Default)]
struct CorpusStats {
    documents: u64,
    text_bytes: u64,
    originals: u64,
    exact: u64,
    near: u64,
}

/// Splits a paragraph into sentences after `.`, `!` or `?` followed by a space and an
/// uppercase letter or opening quote.
fn sentences(paragraph: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in paragraph.char_indices() {
        if !matches!(c, '.' | '!' | '?') {
            continue;
        }
        let rest = &paragraph[i + c.len_utf8()..];
        let mut next = rest.chars();
        if next.next() == Some(' ')
            && next
                .next()
                .is_some_and(|n| n.is_uppercase() || matches!(n, '„' | '"' | '»'))
        {
            let end = i + c.len_utf8();
            let s = paragraph[start..end].trim();
            if !s.is_empty() {
                out.push(s.to_owned());
            }
            start = end + 1;
        }
    }
    let s = paragraph[start..].trim();
    if !s.is_empty() {
        out.push(s.to_owned());
    }
    out
}

/// Every article of the source sets as a list of sentences (paragraph breaks dropped: the
/// generator makes its own).
fn load_articles(data: &Path) -> Result<Vec<Vec<String>>> {
    let mut files = vec![data.join("10kgnad/test.jsonl.gz")];
    for split in ["train", "dev", "test"] {
        files.push(data.join(format!("german-news-quotations/{split}.jsonl.gz")));
    }
    let mut seen = HashSet::new();
    let mut articles = Vec::new();
    for file in files {
        let f = std::fs::File::open(&file).with_context(|| {
            format!(
                "opening {} (give the data folder with --data, or a corpus with --corpus)",
                file.display()
            )
        })?;
        for line in BufReader::new(flate2::read::GzDecoder::new(f)).lines() {
            let line = line.with_context(|| format!("reading {}", file.display()))?;
            let v: Value = serde_json::from_str(&line)
                .with_context(|| format!("a line of {}", file.display()))?;
            let text = v["text"].as_str().unwrap_or_default();
            if text.is_empty() || !seen.insert(text.to_owned()) {
                continue;
            }
            let s: Vec<String> = text.split("\n\n").flat_map(sentences).collect();
            if s.len() >= 2 {
                articles.push(s);
            }
        }
    }
    if articles.is_empty() {
        bail!("no articles found under {}", data.display());
    }
    Ok(articles)
}

/// One word swapped for a word of the vocabulary: sentences repeat across originals only
/// as often as in real news (agency text), not once per reuse of the source sentence.
fn vary(rng: &mut Rng, sentence: &str, vocab: &[String]) -> String {
    let words: Vec<&str> = sentence.split(' ').collect();
    if words.len() < 4 {
        return sentence.to_owned();
    }
    let at = 1 + rng.below(words.len() - 2);
    let mut out = String::with_capacity(sentence.len() + 8);
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(if i == at {
            &vocab[rng.below(vocab.len())]
        } else {
            w
        });
    }
    out
}

/// A new original: 3–8 paragraphs, each a run of 2–5 consecutive sentences of a random
/// article (sometimes in shuffled order), most sentences varied by one word; a title
/// line; a quarter with boilerplate lines around the body.
fn original(rng: &mut Rng, articles: &[Vec<String>], vocab: &[String]) -> String {
    let mut parts: Vec<String> = Vec::new();
    if rng.chance(0.25) {
        parts.push(BOILERPLATE[rng.below(BOILERPLATE.len())].to_owned());
    }
    let paragraphs = 3 + rng.below(6);
    let mut title_done = false;
    for _ in 0..paragraphs {
        let article = &articles[rng.below(articles.len())];
        let n = (2 + rng.below(4)).min(article.len());
        let start = rng.below(article.len() - n + 1);
        let mut run: Vec<String> = article[start..start + n]
            .iter()
            .map(|s| {
                if rng.chance(0.9) {
                    vary(rng, s, vocab)
                } else {
                    s.clone()
                }
            })
            .collect();
        if rng.chance(0.3) {
            rng.shuffle(&mut run);
        }
        if !title_done {
            // A headline: the first words of the first sentence.
            let words: Vec<&str> = run[0].split(' ').take(4 + rng.below(5)).collect();
            parts.push(words.join(" ").trim_end_matches(['.', ',', ':']).to_owned());
            title_done = true;
        }
        parts.push(run.join(" "));
    }
    if rng.chance(0.25) {
        for _ in 0..1 + rng.below(3) {
            parts.push(BOILERPLATE[rng.below(BOILERPLATE.len())].to_owned());
        }
    }
    parts.join("\n\n")
}

/// An exact copy: identical, or the same after whitespace and quote normalisation.
fn exact_copy(rng: &mut Rng, text: &str) -> String {
    match rng.below(3) {
        0 => text.to_owned(),
        1 => text.replace(". ", ".  "),
        _ => format!("  {}\n", text.replace(['„', '“'], "\"")),
    }
}

/// A near copy: a few words changed, or boilerplate added, or the end cut, or paragraphs
/// swapped; all well above the `dedupe` thresholds (Jaccard 0.8 or containment 0.9).
fn near_copy(rng: &mut Rng, text: &str, vocab: &[String]) -> String {
    let mut paragraphs: Vec<String> = text.split("\n\n").map(str::to_owned).collect();
    match rng.below(4) {
        0 => {
            // 1–2 % of the words substituted.
            let rate = 0.01 + 0.01 * rng.below(2) as f64;
            paragraphs = paragraphs
                .iter()
                .map(|p| {
                    p.split(' ')
                        .map(|w| {
                            if rng.chance(rate) {
                                vocab[rng.below(vocab.len())].as_str()
                            } else {
                                w
                            }
                        })
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect();
        }
        1 => {
            for _ in 0..1 + rng.below(2) {
                paragraphs.push(BOILERPLATE[rng.below(BOILERPLATE.len())].to_owned());
            }
        }
        2 if paragraphs.len() > 4 => {
            paragraphs.pop();
        }
        _ if paragraphs.len() > 3 => {
            let i = 1 + rng.below(paragraphs.len() - 2);
            paragraphs.swap(i, i + 1);
        }
        _ => {
            paragraphs.push(BOILERPLATE[rng.below(BOILERPLATE.len())].to_owned());
        }
    }
    paragraphs.join("\n\n")
}

/// Writes a JSONL corpus of `--size-mb` MB of text: originals, and with probability
/// `--exact` / `--near` a copy of one of the last 1000 originals.
fn generate(data: &Path, path: &Path, args: &Args) -> Result<CorpusStats> {
    let articles = load_articles(data)?;
    let mut vocab: Vec<String> = articles
        .iter()
        .flatten()
        .flat_map(|s| s.split(' '))
        .filter(|w| w.chars().count() >= 4 && w.chars().all(char::is_alphabetic))
        .map(str::to_owned)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    vocab.sort_unstable();
    let mut rng = Rng(args.seed);
    let target = (args.size_mb * 1e6) as u64;
    let file =
        std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let mut recent: Vec<String> = Vec::new();
    let mut stats = CorpusStats::default();
    while stats.text_bytes < target {
        let roll = rng.unit();
        let text = if !recent.is_empty() && roll < args.exact {
            stats.exact += 1;
            let of = rng.below(recent.len());
            exact_copy(&mut rng, &recent[of])
        } else if !recent.is_empty() && roll < args.exact + args.near {
            stats.near += 1;
            let of = recent[rng.below(recent.len())].clone();
            near_copy(&mut rng, &of, &vocab)
        } else {
            stats.originals += 1;
            let text = original(&mut rng, &articles, &vocab);
            if recent.len() < 1000 {
                recent.push(text.clone());
            } else {
                let i = rng.below(recent.len());
                recent[i] = text.clone();
            }
            text
        };
        stats.text_bytes += text.len() as u64;
        serde_json::to_writer(
            &mut out,
            &json!({"id": format!("bench-{}", stats.documents), "text": text}),
        )?;
        out.write_all(b"\n")?;
        stats.documents += 1;
    }
    out.flush()?;
    Ok(stats)
}
