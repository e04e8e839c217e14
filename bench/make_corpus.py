#!/usr/bin/env python3
"""Writes a JSONL corpus of about SIZE_MB megabytes recombined from the seeds' paragraphs.

Each document is 3-8 body paragraphs of the seeds in a seeded random order, with
sentences shuffled inside some paragraphs so documents differ; 5% are exact copies and 5%
near copies (a few words edited) of earlier documents. The ground truth goes to
<out>.truth.json. Used for the throughput and memory figures in the README.

    python3 bench/make_corpus.py 100 /tmp/corpus100.jsonl
"""
import json
import random
import re
import sys
from pathlib import Path


def seed_paragraphs(seeds: Path):
    paragraphs = []
    for path in sorted(seeds.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            # Body paragraphs only: long, ending like a sentence. Boilerplate lines of the
            # seeds would be removed by the cleaner and make documents collide.
            if len(line.split()) >= 20 and line[-1] in ".!?\"“”":
                paragraphs.append(line)
    return paragraphs


def vary(paragraph: str, rng: random.Random) -> str:
    sentences = re.split(r"(?<=[.!?])\s+(?=[A-ZÄÖÜ„\"])", paragraph)
    if len(sentences) > 2 and rng.random() < 0.5:
        rng.shuffle(sentences)
    return " ".join(sentences)


def edit_words(text: str, rng: random.Random, rate: float) -> str:
    words = text.split(" ")
    for i in range(len(words)):
        if rng.random() < rate:
            words[i] = rng.choice(["neu", "später", "erneut", "bereits", "offenbar"])
    return " ".join(words)


def main():
    size_mb = float(sys.argv[1])
    out = Path(sys.argv[2])
    root = Path(__file__).resolve().parent.parent
    paragraphs = seed_paragraphs(root / "seeds")
    rng = random.Random(20251122)
    target = int(size_mb * 1_000_000)
    written = 0
    texts = []
    truth = {"exact": {}, "near": {}}
    with out.open("w", encoding="utf-8") as f:
        i = 0
        while written < target:
            doc_id = f"c{i:07d}"
            roll = rng.random()
            if texts and roll < 0.05:
                j = rng.randrange(len(texts))
                text = texts[j][1]
                truth["exact"][doc_id] = texts[j][0]
            elif texts and roll < 0.10:
                j = rng.randrange(len(texts))
                text = edit_words(texts[j][1], rng, 0.01)
                truth["near"][doc_id] = texts[j][0]
            else:
                chosen = [vary(rng.choice(paragraphs), rng) for _ in range(rng.randint(3, 8))]
                text = "\n\n".join(chosen)
                if len(texts) < 20000:
                    texts.append((doc_id, text))
                else:
                    texts[rng.randrange(len(texts))] = (doc_id, text)
            line = json.dumps({"id": doc_id, "text": text}, ensure_ascii=False)
            f.write(line + "\n")
            written += len(line.encode("utf-8")) + 1
            i += 1
    Path(str(out) + ".truth.json").write_text(json.dumps(truth))
    print(f"{out}: {i} documents, {written / 1e6:.1f} MB, "
          f"{len(truth['exact'])} exact and {len(truth['near'])} near copies")


if __name__ == "__main__":
    main()
