"""The Spark driver (spark/pipeline_spark.py) gives the same documents as a local run.

A corpus is generated from the five seeds (exact copies, near copies, truncations,
reordered paragraphs, added boilerplate, documents recombined from several seeds), split
across three JSONL files, and run twice: `pipeline run --full` on one machine and the
Spark driver in local mode with several partitions. Needs pyspark, Java and the release
binary:

    cargo build --release
    pip install 'pyspark==3.5.*' pytest
    PIPELINE_BIN=target/release/pipeline pytest -q tests/python/test_spark.py
"""

import gzip
import json
import os
import pathlib
import random
import re
import shutil
import subprocess
import sys

import pytest

pytest.importorskip("pyspark", reason="pyspark is not installed (pip install 'pyspark==3.5.*')")
if shutil.which("java") is None:
    pytest.skip("java is missing: Spark needs a Java runtime (8, 11 or 17)",
                allow_module_level=True)

ROOT = pathlib.Path(__file__).resolve().parents[2]
DRIVER = ROOT / "spark" / "pipeline_spark.py"
BIN = pathlib.Path(os.environ.get("PIPELINE_BIN", ROOT / "target" / "release" / "pipeline"))
if not os.access(BIN, os.X_OK):
    if "PIPELINE_BIN" in os.environ:
        pytest.fail(f"PIPELINE_BIN={BIN} is not an executable", pytrace=False)
    pytest.skip(f"{BIN} is missing: cargo build --release", allow_module_level=True)

NO_DEDUPE = """
[source]
format = "jsonl"
[[stages]]
type = "clean"
[[stages]]
type = "detect_language"
[[stages]]
type = "annotate"
"""
MARK = """
[source]
format = "jsonl"
[[stages]]
type = "clean"
[[stages]]
type = "dedupe"
action = "mark"
[[stages]]
type = "annotate"
"""
BOILERPLATE = [
    "Newsletter abonnieren und keine Nachricht mehr verpassen!",
    "Mehr zum Thema: Alle aktuellen Nachrichten im Überblick",
    "Foto: picture alliance / dpa",
]


def paragraphs(text):
    """The non-empty lines: two seeds put one paragraph per line without blank lines."""
    return [p for p in text.split("\n") if p.strip()]


def edit_words(rng, text, share):
    """Replaces, drops or doubles about `share` of the words, keeping line breaks."""
    out = []
    for line in text.split("\n"):
        words = []
        for word in line.split(" "):
            roll = rng.random()
            if roll < share / 3:
                continue
            words.append(rng.choice(["neue", "große", "wieder", "bereits"]) if roll < share * 2 / 3
                         else word)
            if share * 2 / 3 <= roll < share:
                words.append(word)
        out.append(" ".join(words))
    return "\n".join(out)


def make_corpus(directory, files=3, copies=1):
    """Writes the corpus as `files` JSONL files; returns {id: file name} with one entry per
    line (`file:n` for the lines that are not JSON)."""
    rng = random.Random(20251001)
    seeds = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    records = []
    for round_ in range(copies):
        for i, text in enumerate(seeds):
            paras = paragraphs(text)
            tag = f"{i}-{round_}"
            records.append({"id": f"seed-{tag}", "text": text, "kind": "seed"})
            records += [{"id": f"exact-{tag}-{k}", "text": text, "kind": "exact"} for k in range(2)]
            records += [{"id": f"near-{tag}-{k}", "text": edit_words(rng, text, 0.03),
                         "kind": "near", "of": i} for k in range(3)]
            records.append({"id": f"trunc-{tag}", "kind": "truncated",
                            "text": "\n\n".join(paras[: max(2, len(paras) * 4 // 5)])})
            reordered = paras[:]
            rng.shuffle(reordered)
            records.append({"id": f"reorder-{tag}", "text": "\n\n".join(reordered),
                            "kind": "reordered"})
            lines = text.split("\n")
            lines.insert(rng.randrange(1, len(lines)), rng.choice(BOILERPLATE))
            records.append({"id": f"boiler-{tag}", "text": "\n".join(lines), "kind": "boilerplate"})
        for k in range(12):  # unrelated documents that share paragraphs with the seeds
            picked = [p for text in rng.sample(seeds, 3) for p in rng.sample(paragraphs(text), 3)]
            records.append({"id": f"mix-{round_}-{k}", "text": "\n\n".join(picked), "kind": "mixed",
                            "meta": {"round": round_, "n": k}})
        # rejected before `dedupe`: nothing left after cleaning, no text, not JSON
        records += [{"id": f"empty-{round_}", "text": "Newsletter abonnieren\n\nFoto: dpa"},
                    {"id": f"notext-{round_}", "body": "no text field"}, "{not json"]
    rng.shuffle(records)  # copies come before and after their originals, in other files
    directory.mkdir(parents=True, exist_ok=True)
    where, size = {}, -(-len(records) // files)
    for f in range(files):
        name = f"part-{f}.jsonl"
        with open(directory / name, "w", encoding="utf-8") as out:
            for n, record in enumerate(records[f * size:(f + 1) * size]):
                if isinstance(record, str):
                    out.write(record + "\n")
                    where[f"{name}:{n}"] = name
                else:
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
                    where[record["id"]] = name
    return where


def run_local(config, corpus, out):
    subprocess.run([str(BIN), "run", str(config), "--input", str(corpus), "--output", str(out),
                    "--full", "-q", "--progress", "off"], check=True)


def run_spark(config, corpus, out, partitions=4):
    done = subprocess.run([sys.executable, str(DRIVER), str(config), str(corpus), "--output",
                           str(out), "--partitions", str(partitions), "--master", "local[2]",
                           "--pipeline", str(BIN)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-5000:]
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


def load(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def assert_same_documents(local, spark):
    want, got = load(local / "documents.jsonl"), load(spark / "documents.jsonl")
    assert [d["id"] for d in got] == [d["id"] for d in want]
    for a, b in zip(want, got):
        # `source` describes where a document was read: a file, its bytes and line for a
        # local run, stdin for `pipeline stream` (the only way Spark feeds the binary), so
        # it necessarily differs. Every other field must be equal.
        a.pop("source"), b.pop("source")
        assert b == a, f"document {a['id']} differs"
    return want


def rejections(out):
    """(id, stage, reason, detail) of each rejection, in file order. A line that is not JSON
    has no id of its own: a local run names it after its file and line (`part-2#16`), the
    stream after its line on stdin (`stdin#1`), so for those the id and the line number in
    the detail are left out."""
    rows = []
    for r in load(out / "rejected.jsonl"):
        if r["reason"] == "read_invalid_json":
            rows.append((None, r["stage"], r["reason"], r["detail"].split(": ", 1)[1]))
        else:
            rows.append((r["id"], r["stage"], r["reason"], r["detail"]))
    return rows


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    directory = tmp_path_factory.mktemp("corpus")
    return directory, make_corpus(directory)


def test_spark_with_global_dedupe_equals_a_local_run(corpus, tmp_path):
    directory, where = corpus
    config = ROOT / "pipeline.toml"
    run_local(config, directory, tmp_path / "local")
    report = run_spark(config, directory, tmp_path / "spark")
    assert report["counts"]["partitions"] >= 4
    assert report["counts"]["records_in"] == len(where)
    docs = assert_same_documents(tmp_path / "local", tmp_path / "spark")

    want = rejections(tmp_path / "local")
    assert rejections(tmp_path / "spark") == want
    # The dedup stage did real work, across files (and so across partitions): exact and
    # near duplicates dropped, and kept documents that repeat passages of earlier ones.
    reasons = {r[2] for r in want}
    assert {"dedup_exact_duplicate", "dedup_near_duplicate", "clean_empty", "read_missing_text",
            "read_invalid_json"} <= reasons
    assert any(d["dedup"]["repeated_spans"] for d in docs)
    kept = {d["id"] for d in docs}
    dropped = load(tmp_path / "local" / "rejected.jsonl")
    originals = {r["id"]: re.search(r"(?:same text as|duplicate of) (\S+)", r["detail"])[1]
                 for r in dropped if r["stage"] == "dedupe"}
    assert len(originals) >= 10
    assert all(of in kept for of in originals.values())
    assert any(where[dup] != where[of] for dup, of in originals.items())
    assert len(docs) + len(want) == len(where)


def test_spark_with_dedupe_marking_equals_a_local_run(corpus, tmp_path):
    directory, _ = corpus
    config = tmp_path / "mark.toml"
    config.write_text(MARK, encoding="utf-8")
    run_local(config, directory, tmp_path / "local")
    run_spark(config, directory, tmp_path / "spark", partitions=5)
    docs = assert_same_documents(tmp_path / "local", tmp_path / "spark")
    statuses = {d["dedup"]["status"] for d in docs}
    assert {"unique", "exact_duplicate", "near_duplicate"} <= statuses
    assert rejections(tmp_path / "spark") == rejections(tmp_path / "local")


def test_spark_without_dedupe_equals_a_local_run(corpus, tmp_path):
    """Also with a gzipped file among the inputs (one partition: .gz cannot be split)."""
    source, where = corpus
    directory = tmp_path / "corpus"
    shutil.copytree(source, directory)
    with open(directory / "part-1.jsonl", "rb") as plain, \
            gzip.open(directory / "part-1.jsonl.gz", "wb") as packed:
        shutil.copyfileobj(plain, packed)
    (directory / "part-1.jsonl").unlink()
    config = tmp_path / "no_dedupe.toml"
    config.write_text(NO_DEDUPE, encoding="utf-8")
    run_local(config, directory, tmp_path / "local")
    report = run_spark(config, directory, tmp_path / "spark")
    # The config annotates: the driver links the persons across partitions at the end.
    assert list(report["timings_s"]) == ["stream", "write", "link_names"]
    docs = assert_same_documents(tmp_path / "local", tmp_path / "spark")
    want = rejections(tmp_path / "local")
    assert rejections(tmp_path / "spark") == want
    assert len(want) == 3 and len(docs) == len(where) - 3


def test_a_failing_partition_names_itself_and_shows_the_error(corpus, tmp_path):
    directory, _ = corpus
    fake = tmp_path / "pipeline"
    fake.write_text("#!/bin/sh\ncat >/dev/null\necho 'boom: something broke' >&2\nexit 3\n")
    fake.chmod(0o755)
    config = tmp_path / "no_dedupe.toml"
    config.write_text(NO_DEDUPE, encoding="utf-8")
    done = subprocess.run([sys.executable, str(DRIVER), str(config), str(directory), "--output",
                           str(tmp_path / "out"), "--pipeline", str(fake)],
                          capture_output=True, text=True)
    assert done.returncode != 0
    assert "partition " in done.stderr and "exited with code 3" in done.stderr
    assert "boom: something broke" in done.stderr
