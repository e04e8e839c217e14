//! Prints one line per record (or error) of a WARC, WET or ARC file, then a summary.
//!
//! ```text
//! cargo run -p pipeline-read --example warc_dump -- FILE [--summary] [--max-bytes N]
//! ```
//!
//! Gzip input (one member per record or one for the whole file) is detected from its magic
//! bytes, whatever the file is called.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::time::Instant;

use pipeline_read::{GzipMembers, WarcItem, WarcReader};

fn main() -> std::io::Result<()> {
    let mut path = None;
    let mut summary_only = false;
    let mut max_bytes: u64 = 64 << 20;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--summary" => summary_only = true,
            "--max-bytes" => {
                max_bytes = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .expect("--max-bytes takes a byte count")
            }
            _ => path = Some(arg),
        }
    }
    let Some(path) = path else {
        eprintln!("usage: warc_dump FILE [--summary] [--max-bytes N]");
        std::process::exit(2);
    };
    let file_len = std::fs::metadata(&path)?.len();
    let mut file = BufReader::with_capacity(1 << 16, File::open(&path)?);
    let gzip = file.fill_buf()?.starts_with(&[0x1f, 0x8b]);
    let reader: Box<dyn BufRead> = if gzip {
        Box::new(BufReader::with_capacity(1 << 16, GzipMembers::new(file)))
    } else {
        Box::new(file)
    };

    let started = Instant::now();
    let mut reader = WarcReader::new(reader, max_bytes);
    let mut types: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let mut errors: BTreeMap<&'static str, u64> = BTreeMap::new();
    for item in reader.by_ref() {
        match item {
            WarcItem::Record(record) => {
                let entry = types.entry(record.record_type.clone()).or_default();
                entry.0 += 1;
                entry.1 += record.payload.len() as u64;
                if !summary_only {
                    let mut head = String::new();
                    (&record.payload[..record.payload.len().min(48)])
                        .read_to_string(&mut head)
                        .ok();
                    println!(
                        "{:>8} {:<10} payload={:<6} status={} http_ct={:?} lang={:?} date={:?} uri={:?} head={:?}",
                        record.offset,
                        record.record_type,
                        record.payload.len(),
                        record.http_status.map_or("-".to_owned(), |s| s.to_string()),
                        record.http_content_type,
                        record.language,
                        record.date,
                        record.target_uri,
                        if head.is_empty() { String::from_utf8_lossy(&record.payload[..record.payload.len().min(24)]).into_owned() } else { head },
                    );
                }
            }
            WarcItem::Error {
                offset,
                reason,
                detail,
            } => {
                *errors.entry(reason).or_default() += 1;
                println!("{offset:>8} ERROR {reason}: {detail}");
            }
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let records: u64 = types.values().map(|(n, _)| n).sum();
    let decompressed = reader.position();
    println!(
        "summary: {records} records {types:?}, errors {errors:?}; {file_len} bytes on disk, {decompressed} decompressed, {seconds:.3} s, {:.1} MB/s (decompressed), {:.1} MB/s (on disk)",
        decompressed as f64 / 1e6 / seconds,
        file_len as f64 / 1e6 / seconds
    );
    Ok(())
}
