"""trafilatura itself on the same halves and scorer as `pipeline-read`'s `eval_html` example
(FNV-1a split of the page id, whitespace squashed, micro snippet F1 on trafilatura-eval, mean
token F1 on article-extraction-benchmark), so both are compared on the same held-out half.

    python3 -m venv /tmp/traf && /tmp/traf/bin/pip install trafilatura lxml_html_clean
    /tmp/traf/bin/python bench/trafilatura_baseline.py
    cargo run --release -p pipeline-read --example eval_html
"""
import gzip, json, pathlib, sys
from collections import Counter
import trafilatura

def half(id_):
    h = 0xcbf29ce484222325
    for b in id_.encode():
        h ^= b
        h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return "tune" if h & 1 == 0 else "test"

def squash(s): return " ".join(s.split())

def extract(html, url):
    return trafilatura.extract(html, url=url) or ""

D = pathlib.Path(__file__).resolve().parents[2] / "shared" / "data"
snip = {h: [0, 0, 0, 0] for h in ("tune", "test")}
for line in gzip.open(f"{D}/trafilatura-eval/pages.jsonl.gz", "rt"):
    p = json.loads(line)
    text = squash(extract(p["html"], p.get("url")))
    s = snip[half(p["id"])]
    for w in p.get("gt_with", []):
        if squash(w) in text: s[0] += 1
        else: s[1] += 1
    for w in p.get("gt_without", []):
        if squash(w) in text: s[2] += 1
        else: s[3] += 1
def f(tp, fn, fp):
    pr = tp / max(tp + fp, 1); rc = tp / max(tp + fn, 1); return pr, rc, 2 * pr * rc / (pr + rc)
for h in ("tune", "test"):
    print("trafilatura-eval", h, "P %.3f R %.3f F1 %.3f" % f(*snip[h][:3]))
allc = [snip["tune"][i] + snip["test"][i] for i in range(4)]
print("trafilatura-eval all", "P %.3f R %.3f F1 %.3f" % f(*allc[:3]))

zy = {h: [] for h in ("tune", "test")}
for line in gzip.open(f"{D}/article-extraction-benchmark/pages.jsonl.gz", "rt"):
    p = json.loads(line)
    pred = extract(p["html"], p.get("url")).split(); gold = p["ground_truth_text"].split()
    common = sum((Counter(pred) & Counter(gold)).values())
    if not pred or not gold: r = (1.0,) * 3 if len(pred) == len(gold) else (0.0,) * 3
    else:
        pr = common / len(pred); rc = common / len(gold); r = (pr, rc, 0.0 if common == 0 else 2 * pr * rc / (pr + rc))
    zy[half(p["id"])].append(r)
for h in ("tune", "test"):
    v = zy[h]; print("zyte", h, "P %.3f R %.3f F1 %.3f" % tuple(sum(x[i] for x in v) / len(v) for i in range(3)))
v = zy["tune"] + zy["test"]; print("zyte all", "P %.3f R %.3f F1 %.3f" % tuple(sum(x[i] for x in v) / len(v) for i in range(3)))
