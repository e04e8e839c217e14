#!/usr/bin/env python3
"""Runs the pipeline over a partitioned JSONL dataset on Apache Spark (spark/README.md).

Each Spark partition is piped through the `pipeline` binary (`pipeline stream`), with the
same config file as a local `pipeline run`. A config with a `dedupe` stage is run in four
phases so that near duplicates are found across all partitions, not only within one:

  1. signatures  every partition: the stages before `dedupe`, out come "pending" documents
                 that carry their dedup fingerprint and their position [partition, n]
  2. keys        every partition: `pipeline dedup keys` lists (key, position); Spark's
                 shuffle (groupByKey) gathers the documents that share a key
  3. clusters    once, on the driver: `pipeline dedup clusters` decides which documents are
                 duplicates of which, from the groups and the pending documents
  4. filter      every partition: applies the decisions, runs the stages after `dedupe`

Writes OUTPUT/documents.jsonl and OUTPUT/rejected.jsonl in dataset order, as a local run
does, and OUTPUT/report.json. The binary and the config are shipped to the executors with
SparkContext.addFile; on a cluster the binary must be built for the executors' platform.

    python3 spark/pipeline_spark.py pipeline.toml data/ --output out-spark --partitions 8
"""

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from pathlib import Path
from urllib.parse import urlparse

JSONL = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")
DOC, REJECTED, REPORT = 0, 1, 2  # the kinds of records a piped partition yields


def list_inputs(specs):
    """The input files in the order a local run reads them: one sorted list of paths.
    Folders are walked recursively for JSONL files (hidden entries skipped), glob patterns
    expanded; URLs (hdfs://, s3a://) are kept as given, since Hadoop lists those."""
    files, remote = set(), []
    for spec in specs:
        if "://" in spec:
            remote.append(spec)
        elif glob.has_magic(spec):
            files.update(p for p in glob.glob(spec, recursive=True) if os.path.isfile(p))
        elif os.path.isdir(spec):
            for root, dirs, names in os.walk(spec, followlinks=True):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                files.update(os.path.join(root, n) for n in names
                             if not n.startswith(".") and n.lower().endswith(JSONL))
        elif os.path.isfile(spec):
            files.add(spec)
        else:
            sys.exit(f"error: input {spec} does not exist")
    local = sorted((os.path.abspath(f) for f in files), key=lambda p: Path(p).parts)
    return local + remote


class PartitionFailed(RuntimeError):
    """A `pipeline` process failed; the message names the partition and holds its stderr."""


def pipe(argv, lines, part, tmp, stats):
    """Streams `lines` through the command `argv` and yields its stdout lines: a thread
    feeds stdin while this generator reads stdout, so a partition is never held whole.
    Counts the lines fed in stats["records_in"]."""
    stderr = open(os.path.join(tmp, "stderr"), "w+b")
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=stderr, cwd=tmp)
    stats["records_in"], failure = 0, []

    def feed():
        try:
            for line in lines:
                proc.stdin.write(line.encode("utf-8") + b"\n")
                stats["records_in"] += 1
        except BrokenPipeError:
            pass  # the process ended early: its exit code and stderr say why
        except BaseException as error:  # noqa: BLE001 - the reader re-raises it
            failure.append(error)
        finally:
            try:
                proc.stdin.close()
            except BrokenPipeError:
                pass

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    for raw in proc.stdout:
        yield raw.decode("utf-8").rstrip("\n")
    feeder.join()
    code = proc.wait()
    if failure:
        raise failure[0]
    stderr.seek(0)
    message = stderr.read().decode("utf-8", "replace").strip()
    stderr.close()
    if code != 0:
        raise PartitionFailed(f"partition {part}: `{' '.join(argv)}` exited with code {code}:"
                              f"\n{message}")


def shipped(name, executable=False):
    """The path of a file shipped with SparkContext.addFile, on this executor."""
    from pyspark import SparkFiles
    path = SparkFiles.get(name)
    if executable and not os.access(path, os.X_OK):
        os.chmod(path, 0o755)  # Spark marks fetched files executable; this is a guard
    return path


def run_partition(binary, argv, phase):
    """A mapPartitionsWithIndex function running `pipeline ARGV...` on one partition, where
    argv(part, get) gives the arguments (get(name): the path of a shipped file).
    Yields (DOC, line) for each stdout line, then (REJECTED, (part, line)) per rejection and
    one (REPORT, {...}) with the process's report.json and the number of input records."""
    def run(part, lines):
        tmp = tempfile.mkdtemp(prefix=f"pipeline-{phase}-{part}-")
        try:
            command = [shipped(binary, True), *argv(part, shipped), "-q",
                       "--rejected", f"{tmp}/rejected.jsonl", "--report", f"{tmp}/report.json"]
            stats = {}
            yield from ((DOC, line) for line in pipe(command, lines, part, tmp, stats))
            with open(f"{tmp}/rejected.jsonl", encoding="utf-8") as rejected:
                yield from ((REJECTED, (part, line.rstrip("\n"))) for line in rejected)
            with open(f"{tmp}/report.json", encoding="utf-8") as report:
                yield REPORT, {"phase": phase, "partition": part,
                               "records_in": stats["records_in"], "report": json.load(report)}
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return run


def dedup_keys(binary, config):
    """A mapPartitionsWithIndex function: pending documents in, (key, position) out."""
    def run(part, lines):
        tmp = tempfile.mkdtemp(prefix=f"pipeline-keys-{part}-")
        argv = [shipped(binary, True), "dedup", "keys", shipped(config)]
        try:
            for line in pipe(argv, lines, part, tmp, {}):
                key, pos = line.split("\t", 1)
                yield key, pos
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return run


def in_dataset_order(rejection):
    """The sort key of a (partition, rejected line): its partition, then its line in the
    partition's input (`source.record`), which is how a local run orders rejected.jsonl."""
    part, line = rejection
    return part, (json.loads(line).get("source") or {}).get("record") or 0


def failure_message(text):
    """The PartitionFailed message out of the error Spark raises on the driver (else the
    error's own message), without the JVM's stack trace."""
    marker = "PartitionFailed: "
    text = text[text.index(marker) + len(marker):] if marker in text else text
    return text.split("\n\tat ")[0].strip()


def position(pos):
    """'3:17' -> (3, 17), for sorting a group's documents in dataset order."""
    part, n = pos.split(":")
    return int(part), int(n)


def on_driver(sc, url, local):
    """The folder `url` (written by saveAsTextFile) as a path on the driver's disk: the
    path itself for file: URLs, else a copy made with Hadoop's FileSystem (HDFS, S3...)."""
    if urlparse(url).scheme == "file":
        return urlparse(url).path
    hadoop = sc._jvm.org.apache.hadoop.fs
    source = hadoop.Path(url)
    source.getFileSystem(sc._jsc.hadoopConfiguration()).copyToLocalFile(
        False, source, hadoop.Path(Path(local).resolve().as_uri()), True)
    return local


def dedupe(sc, records, exe, config, args, work, timed, reports, counts):
    """Phases 1-4 of the global dedup; returns the tagged final RDD and the rejections of
    the stages before `dedupe`."""
    from pyspark import StorageLevel
    signatures = records.mapPartitionsWithIndex(run_partition(exe, lambda part, get: [
        "stream", get(config), "--phase", "signatures", "--part", str(part)],
        "signatures")).persist(StorageLevel.MEMORY_AND_DISK)
    pending = signatures.filter(lambda r: r[0] == DOC).map(lambda r: r[1])
    timed("signatures", lambda: pending.saveAsTextFile(f"{work}/pending"))
    reports.extend(r for _, r in signatures.filter(lambda r: r[0] == REPORT).collect())
    groups = (pending.mapPartitionsWithIndex(dedup_keys(exe, config)).groupByKey()
              .mapValues(lambda docs: sorted(docs, key=position))
              .filter(lambda group: len(group[1]) >= 2)
              .map(lambda group: json.dumps({"key": group[0], "docs": group[1]})))
    timed("keys", lambda: groups.saveAsTextFile(f"{work}/groups"))
    local = Path(args.output) / "work-local"
    decisions = local / "decisions.jsonl"
    command = [args.pipeline, "dedup", "clusters", args.config,
               "--groups", on_driver(sc, f"{work}/groups", local / "groups"),
               "--pending", on_driver(sc, f"{work}/pending", local / "pending"),
               "--decisions", str(decisions)]
    done = timed("clusters", lambda: subprocess.run(command, capture_output=True, text=True))
    if done.returncode != 0:
        sys.exit(f"error: `{' '.join(map(str, command))}` failed:\n{done.stderr}")
    with open(decisions, encoding="utf-8") as f:
        counts["decisions"] = sum(1 for _ in f)
    sc.addFile(str(decisions.resolve()))
    final = pending.mapPartitionsWithIndex(run_partition(exe, lambda part, get: [
        "stream", get(config), "--phase", "filter", "--decisions", get("decisions.jsonl")],
        "filter"))
    return final, signatures.filter(lambda r: r[0] == REJECTED)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("config", help="the pipeline config (TOML), the same as for a local run")
    parser.add_argument("inputs", nargs="+", help="JSONL files, folders, glob patterns (.gz ok)")
    parser.add_argument("--output", "-o", required=True, help="folder for the three output files")
    parser.add_argument("--partitions", type=int, default=4, help="at least this many (default 4)")
    parser.add_argument("--master", help="Spark master [default: spark-submit's, else local[2]]")
    parser.add_argument("--pipeline", help="the binary [default: `pipeline` on PATH, else "
                        "target/release/pipeline]")
    parser.add_argument("--work", help="folder URL for the intermediate files that executors "
                        "and driver share (hdfs://, s3a://) [default: OUTPUT/work]")
    args = parser.parse_args()
    args.pipeline = args.pipeline or shutil.which("pipeline") or str(
        Path(__file__).resolve().parents[1] / "target" / "release" / "pipeline")
    if not os.access(args.pipeline, os.X_OK):
        sys.exit(f"error: {args.pipeline} is not an executable: build it (cargo build --release)")
    with open(args.config, "rb") as f:
        stages = [s.get("type") for s in tomllib.load(f).get("stages", [])]
    files = list_inputs(args.inputs)
    if not files:
        sys.exit("error: no JSONL input files found")
    out = Path(args.output)
    for folder in (out / "work", out / "work-local"):
        shutil.rmtree(folder, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    work = args.work or (out / "work").resolve().as_uri()

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark import SparkConf, SparkContext, StorageLevel
    conf = SparkConf().setAppName("pipeline")
    if args.master or not conf.contains("spark.master"):
        conf.setMaster(args.master or "local[2]")
    if conf.get("spark.master").startswith("local"):  # stay on loopback, no web UI
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        conf.set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1")
        conf.set("spark.ui.enabled", "false")
    sc = SparkContext(conf=conf)
    sc.setLogLevel("ERROR")
    exe, config = os.path.basename(args.pipeline), os.path.basename(args.config)
    timings, counts, reports = {}, {"input_files": len(files)}, []

    def timed(name, action):
        start = time.monotonic()
        result = action()
        timings[name] = round(time.monotonic() - start, 3)
        return result

    try:
        for shipped in (args.pipeline, args.config):
            sc.addFile(os.path.abspath(shipped))
        # sc.textFile keeps the order of the listed files, and lines in file order in each.
        records = sc.textFile(",".join(files), minPartitions=args.partitions)
        counts["partitions"] = records.getNumPartitions()
        if "dedupe" in stages:
            final, early_rejects = dedupe(sc, records, exe, config, args, work, timed, reports,
                                          counts)
        else:
            final = records.mapPartitionsWithIndex(
                run_partition(exe, lambda part, get: ["stream", get(config)], "stream"))
            early_rejects = sc.emptyRDD()
        final = final.persist(StorageLevel.MEMORY_AND_DISK)
        timed("filter" if "dedupe" in stages else "stream", final.count)
        reports.extend(r for _, r in final.filter(lambda r: r[0] == REPORT).collect())
        start = time.monotonic()
        # Partition by partition, in order; rejections sorted into the order of the input.
        rejected = early_rejects.union(final.filter(lambda r: r[0] == REJECTED)).values()
        rejected = rejected.sortBy(in_dataset_order, numPartitions=1).values()
        for name, rdd in [("documents", final.filter(lambda r: r[0] == DOC).values()),
                          ("rejected", rejected)]:
            counts[name] = 0
            with open(out / f"{name}.jsonl", "w", encoding="utf-8") as f:
                for line in rdd.toLocalIterator():
                    f.write(line + "\n")
                    counts[name] += 1
        timings["write"] = round(time.monotonic() - start, 3)
        hadoop = sc._jvm.org.apache.hadoop.fs.Path(work)
        hadoop.getFileSystem(sc._jsc.hadoopConfiguration()).delete(hadoop, True)
    except Exception as error:  # noqa: BLE001 - shown to the user without the JVM's stack
        sys.exit(f"error: {failure_message(str(error))}")
    finally:
        sc.stop()
    shutil.rmtree(out / "work-local", ignore_errors=True)
    if "annotate" in stages:
        # A person a partition names by one word takes the full name other partitions
        # give, over the whole output, as at the end of a local run.
        command = [args.pipeline, "link-names", str(out / "documents.jsonl")]
        done = timed("link_names", lambda: subprocess.run(command, capture_output=True,
                                                          text=True))
        if done.returncode != 0:
            sys.exit(f"error: `{' '.join(command)}` failed:\n{done.stderr}")
    counts["records_in"] = sum(r["records_in"] for r in reports
                               if r["phase"] in ("signatures", "stream"))
    summary = {"master": conf.get("spark.master"), "config": os.path.abspath(args.config),
               "inputs": files, "counts": counts, "timings_s": timings, "partitions": reports}
    (out / "report.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(f"{counts['records_in']} records in {counts['partitions']} partitions -> "
          f"{counts['documents']} documents, {counts['rejected']} rejected, {out}/ "
          f"({sum(timings.values()):.1f} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
