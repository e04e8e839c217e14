"""Loads the spaCy export of documents.jsonl with Doc.from_json(validate=True).

Run after `pip install spacy pytest` (no model is needed: spacy.blank("de")):

    cargo run --release -- run pipeline.toml
    cargo run --release -p pipeline-annotate --example export -- spacy out/documents.jsonl > out/documents.spacy.jsonl
    SPACY_JSONL=out/documents.spacy.jsonl DOCUMENTS_JSONL=out/documents.jsonl pytest tests/python
"""

import json
import os
import pathlib

import pytest

spacy = pytest.importorskip("spacy")

ROOT = pathlib.Path(__file__).resolve().parents[2]
SPACY_JSONL = pathlib.Path(os.environ.get("SPACY_JSONL", ROOT / "out" / "documents.spacy.jsonl"))
DOCUMENTS_JSONL = pathlib.Path(os.environ.get("DOCUMENTS_JSONL", ROOT / "out" / "documents.jsonl"))


def load(path):
    if not path.exists():
        pytest.fail(f"{path} is missing: run the pipeline and the export first (see the docstring)")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_every_document_loads_and_keeps_its_spans():
    nlp = spacy.blank("de")
    exported = load(SPACY_JSONL)
    originals = {d["text"]: d for d in load(DOCUMENTS_JSONL)}
    assert exported, "no documents exported"
    for data in exported:
        doc = spacy.tokens.Doc(nlp.vocab).from_json(data, validate=True)
        assert doc.text == data["text"]
        assert len(doc) == len(data["tokens"])
        original = originals[data["text"]]
        want = [(e["start"], e["end"], e["label"]) for e in original["annotations"]["entities"]]
        got = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
        assert got == want
        for e in doc.ents:
            assert e.text == data["text"][e.start_char:e.end_char]
        # A sentence in spaCy also holds the whitespace tokens after it.
        assert [(s.start_char, s.start_char + len(s.text.rstrip())) for s in doc.sents] == [
            (s["start"], s["end"]) for s in original["annotations"]["sentences"]
        ]
        quotes = original["annotations"].get("quotes", [])
        if quotes:
            assert [(q.start_char, q.end_char) for q in doc.spans["quotes"]] == [
                (q["start"], q["end"]) for q in quotes
            ]
            mentions = {
                (q["speaker_mention"]["start"], q["speaker_mention"]["end"], q["speaker"] or "")
                for q in quotes
                if q.get("speaker_mention")
            }
            got = {(m.start_char, m.end_char, m.kb_id_) for m in doc.spans.get("speakers", [])}
            assert got == mentions
            for m in doc.spans.get("speakers", []):
                assert m.label_ == "SPEAKER"
