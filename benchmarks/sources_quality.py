"""Quality of source verification: generated rewrites and hand-written pairs, side by side.

Two sets, one table (one row per judgment type of the issue "source verification that
holds on real reporting"):

* **generated** — N derivatives of ``dalil.synth.documents.generate`` with the truth of
  every edit.  The generator shares its edit types with the rules, so it flatters them.
* **hand-written** — the pairs of ``tests/data/sources/eval/`` (fictional, written by hand
  in the forms real reporting takes, judged by hand before the code ran on them; see the
  README there).  Rows the generator has no truth for print ``n/a``.
* **held-out** — the pairs of ``tests/data/sources/eval-heldout/``, written after the rules
  were fixed on the hand-written set and never used to change them.

Rows (a rate where lower is better is marked ↓):

* quote verdict — share of the true quotations found with the right status;
* speaker (later) / speaker (earlier) — the speaker given to each quotation, and the speaker
  of the same words in the source (``source_speaker``);
* quote flags — share of the quotations carrying a flag (in truth or prediction) whose flag
  set is exactly right;
* change flags — precision/recall of flags on re-used sentences that were changed
  (changed actor, dropped hedge, intensified act …);
* attributed found — claims given to the source that it never made, reported as
  ``attributed_to_source``;
* additions recall; supported sentences reported as additions ↓;
* omissions recall; re-used source sentences reported as omissions ↓;
* figures precision / recall; non-figures read as figures ↓;
* direction.

Baseline in the same run (generated set): a naive "every quote is verbatim if its text
occurs in the source" checker.

    .venv/bin/python benchmarks/sources_quality.py --n 300 --seed 1
    .venv/bin/python benchmarks/sources_quality.py --n 0 --show   # hand-written set, misses listed
"""

from __future__ import annotations

import argparse
import json
import re
import time
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

from dalil.sources.compare import analyse, compare
from dalil.sources.segment import sentences
from dalil.synth.documents import generate

EVAL_DIR = Path(__file__).resolve().parent.parent / "tests" / "data" / "sources" / "eval"
HELDOUT_DIR = EVAL_DIR.parent / "eval-heldout"
_AR_MARKS = re.compile(r"[\u0610-\u061A\u064B-\u065F\u0670\u0640]")


def words(s: str | None) -> list[str]:
    """Comparison words for matching truth to predictions (independent of the rules)."""
    if not s:
        return []
    s = unicodedata.normalize("NFC", s).casefold()
    s = _AR_MARKS.sub("", s)
    s = re.sub("[إأآٱ]", "ا", s).replace("ى", "ي").replace("ة", "ه")
    return re.findall(r"\w+", s)


def overlap(truth: str, pred: str) -> float:
    """How well a predicted passage matches a true one: shared words over the longer of
    the two — or, for a prediction at most twice as long, the share of the true words it
    holds (a clause reported with its attribution)."""
    wa, wb = set(words(truth)), set(words(pred))
    if not wa or not wb:
        return 0.0
    inside = len(wa & wb) / len(wa) if len(wb) <= 2 * len(wa) else 0.0
    return max(len(wa & wb) / max(len(wa), len(wb)), inside if inside >= 0.8 else 0.0)


def best(text: str, items: list[dict[str, Any]], key: str = "text") -> dict[str, Any] | None:
    scored = [
        (max(overlap(text, it[key]), overlap(it[key], text)), i) for i, it in enumerate(items)
    ]
    if not scored:
        return None
    score, i = max(scored)
    return items[i] if score >= 0.5 else None


_GENERIC = {"the", "a", "an", "mr", "ms", "mrs", "dr"}


def speaker_ok(pred: str | None, forms: list[str] | None) -> bool:
    if not forms:
        return not pred
    if not pred:
        return False
    p = set(words(pred)) - _GENERIC
    for f in forms:
        fw = set(words(f)) - _GENERIC
        if fw and fw <= p and len(p - fw) <= 3:
            return True
    return False


class Row:
    def __init__(self) -> None:
        self.num = 0
        self.den = 0

    def add(self, ok: bool | int, n: int = 1) -> None:
        self.num += int(ok)
        self.den += n

    def __str__(self) -> str:
        return f"{self.num / self.den:.2f} ({self.num}/{self.den})" if self.den else "n/a"


ROWS = [
    ("quote verdict", "verdict"),
    ("speaker of a quote (later text)", "speaker"),
    ("speaker of the quote in the earlier text", "source_speaker"),
    ("quote flags exactly right", "flags"),
    ("change flags: precision", "chg_p"),
    ("change flags: recall", "chg_r"),
    ("claims attributed to the source it never made, found", "attributed"),
    ("additions found (recall)", "add_r"),
    ("supported sentences reported as additions (lower is better)", "add_fp"),
    ("omissions found (recall)", "om_r"),
    ("re-used source sentences reported as omissions (lower is better)", "om_fp"),
    ("figures: precision", "fig_p"),
    ("figures: recall", "fig_r"),
    ("non-figures read as figures (lower is better)", "nonfig"),
    ("direction", "direction"),
]


def content_sentences(text: str) -> list[str]:
    return [
        text[s.start : s.end] for s in sentences(text) if len(words(text[s.start : s.end])) >= 3
    ]


def score_text_items(
    rows: dict[str, Row],
    truth_add: list[dict[str, Any]],
    pred_add: list[dict[str, Any]],
    truth_om: list[dict[str, Any]],
    pred_om: list[dict[str, Any]],
    der_text: str,
    src_text: str,
    optional: list[str],
    misses: list[str],
) -> None:
    for a in truth_add:
        p = best(a["text"], pred_add)
        rows["add_r"].add(p is not None)
        if a.get("kind") == "attributed_to_source":
            ok = p is not None and p["kind"] == "attributed_to_source"
            rows["attributed"].add(ok)
            if not ok:
                misses.append(f"attributed not found: {a['text'][:90]}")
        elif p is None:
            misses.append(f"addition not found: {a['text'][:90]}")
    fp = 0
    for p in pred_add:
        if best(p["text"], truth_add) is None and not any(
            overlap(p["text"], o) >= 0.5 for o in optional
        ):
            fp += 1
            misses.append(f"supported reported as addition: {p['text'][:90]}")
    rows["add_fp"].add(fp, max(0, len(content_sentences(der_text)) - len(truth_add)))
    for o in truth_om:
        p = best(o["text"], pred_om)
        rows["om_r"].add(p is not None)
        if p is None:
            misses.append(f"omission not found: {o['text'][:90]}")
    fp = 0
    for p in pred_om:
        if best(p["text"], truth_om) is None and not any(
            overlap(p["text"], o) >= 0.5 for o in optional
        ):
            fp += 1
            misses.append(f"re-used reported as omission: {p['text'][:90]}")
    rows["om_fp"].add(fp, max(0, len(content_sentences(src_text)) - len(truth_om)))


def locate(text: str, item: dict[str, Any]) -> tuple[int, int] | None:
    base = 0
    if item.get("context"):
        base = text.find(item["context"])
        if base < 0:
            return None
    i = base - 1
    for _ in range(item.get("nth", 1)):
        i = text.find(item["text"], i + 1)
        if i < 0:
            return None
    return (i, i + len(item["text"]))


def eval_pair(folder: Path, rows: dict[str, Row], show: bool) -> None:
    earlier = (folder / "earlier.txt").read_text(encoding="utf-8")
    later = (folder / "later.txt").read_text(encoding="utf-8")
    truth = json.loads((folder / "judgments.json").read_text(encoding="utf-8"))
    r = compare(analyse(earlier, id="earlier"), analyse(later, id="later"))
    misses: list[str] = []
    rows["direction"].add(r["direction"] == truth["direction"])
    if r["direction"] != truth["direction"]:
        misses.append(f"direction {r['direction']} (truth {truth['direction']})")
    swapped = r["source"]["id"] == "later"
    for tq in truth["quotes"]:
        q = best(tq["text"], r["quotes"])
        ok_status = q is not None and q["status"] == tq["status"]
        rows["verdict"].add(ok_status)
        ok_sp = q is not None and speaker_ok(q["speaker"], tq["speaker"])
        rows["speaker"].add(ok_sp)
        if tq["status"] != "not_in_source":
            ok_ssp = q is not None and speaker_ok(q["source_speaker"], tq["source_speaker"])
            rows["source_speaker"].add(ok_ssp)
        else:
            ok_ssp = True
        pf = set(q["flags"]) if q else set()
        tf = set(tq["flags"])
        if tf or pf:
            rows["flags"].add(tf == pf)
        if q is None:
            misses.append(f"quote not found: {tq['text'][:70]}")
        else:
            if not ok_status:
                misses.append(
                    f"quote status {q['status']} (truth {tq['status']}): {tq['text'][:60]}"
                )
            if not ok_sp:
                misses.append(
                    f"quote speaker {q['speaker']!r} (truth {tq['speaker']}): {tq['text'][:50]}"
                )
            if not ok_ssp:
                misses.append(
                    f"source speaker {q['source_speaker']!r} (truth {tq['source_speaker']}): {tq['text'][:40]}"
                )
            if tf != pf:
                misses.append(f"quote flags {sorted(pf)} (truth {sorted(tf)}): {tq['text'][:50]}")
    for nq in truth.get("not_quotes", []):
        if any(overlap(nq, q["text"]) >= 0.5 for q in r["quotes"]):
            misses.append(f"not a quote, read as one: {nq}")
            rows["verdict"].add(False)
    # Prose changes: flags on re-used sentences.
    pred_changes = r.get("changes", [])
    tp = fp = fn = 0
    for tc in truth["changes"]:
        p = best(tc["text"], pred_changes)
        pf = set(p["flags"]) if p else set()
        tf = set(tc["flags"])
        tp += len(tf & pf)
        fn += len(tf - pf)
        if tf - pf:
            misses.append(f"change flags missing {sorted(tf - pf)}: {tc['text'][:70]}")
    for p in pred_changes:
        t = best(p["text"], truth["changes"])
        extra = set(p["flags"]) - (set(t["flags"]) if t else set())
        fp += len(extra)
        if extra:
            misses.append(f"change flags extra {sorted(extra)}: {p['text'][:70]}")
    rows["chg_p"].add(tp, tp + fp)
    rows["chg_r"].add(tp, tp + fn)
    if truth["direction"] != "unrelated":
        score_text_items(
            rows,
            truth["additions"],
            r["additions"],
            truth["omissions"],
            r["omissions"],
            later,
            earlier,
            truth.get("optional", []),
            misses,
        )
    # Figures.
    texts = {"source": earlier, "derivative": later}
    preds = []
    for q in r["quantities"]:
        doc = q["doc"]
        if swapped:
            doc = "derivative" if doc == "source" else "source"
        preds.append((doc, tuple(q["span"]), (q["low"], q["high"]), q["text"]))
    true_q = []
    for tq in truth["quantities"]:
        span = locate(texts[tq["doc"]], tq)
        assert span is not None, (folder.name, tq)
        true_q.append((tq["doc"], span, (tq["low"], tq["high"]), tq["text"]))
    matched_pred: set[int] = set()
    for doc, span, iv, txt in true_q:
        hit = next(
            (
                i
                for i, (pd, ps, piv, _t) in enumerate(preds)
                if pd == doc
                and ps[0] < span[1]
                and span[0] < ps[1]
                and piv == iv
                and i not in matched_pred
            ),
            None,
        )
        rows["fig_r"].add(hit is not None)
        if hit is None:
            got = [
                (pt, piv)
                for pd, ps, piv, pt in preds
                if pd == doc and ps[0] < span[1] and span[0] < ps[1]
            ]
            misses.append(f"figure missed ({doc}) {txt!r} {iv}; read {got}")
        else:
            matched_pred.add(hit)
    rows["fig_p"].add(len(matched_pred), len(preds))
    for i, (pd, _ps, piv, pt) in enumerate(preds):
        if i not in matched_pred:
            misses.append(f"figure wrong ({pd}) {pt!r} {piv}")
    for nq in truth["not_quantities"]:
        span = locate(texts[nq["doc"]], nq)
        assert span is not None, (folder.name, nq)
        bad = any(
            pd == nq["doc"] and ps[0] < span[1] and span[0] < ps[1] for pd, ps, _iv, _t in preds
        )
        rows["nonfig"].add(bad)
    if show and misses:
        print(f"--- {folder.name}")
        for m in misses:
            print("   ", m)


def eval_hand(show: bool, folder: Path = EVAL_DIR) -> tuple[dict[str, Row], int]:
    rows = {key: Row() for _, key in ROWS}
    if not folder.is_dir():
        return rows, 0
    pairs = sorted(p for p in folder.iterdir() if (p / "judgments.json").exists())
    for p in pairs:
        eval_pair(p, rows, show)
    return rows, len(pairs)


def norm(s: str) -> str:
    return " ".join(words(s))


def eval_generated(n: int, seed: int, n_words: int) -> tuple[dict[str, Row], float, str]:
    rows = {key: Row() for _, key in ROWS}
    if n == 0:
        return rows, 0.0, ""
    files, truth = generate(n, seed, n_words)
    base = Row()
    cache: dict[str, Any] = {}
    t0 = time.perf_counter()
    statuses: Counter[tuple[str, str]] = Counter()
    for d in truth["derivatives"]:
        src = cache.get(d["source"]) or analyse(files[d["source"]], id=d["source"])
        cache[d["source"]] = src
        r = compare(src, analyse(files[d["id"]], id=d["id"]))
        src_norm = norm(files[d["source"]])
        for tq in d["quotes"]:
            q = best(tq["text"], r["quotes"])
            rows["verdict"].add(q is not None and q["status"] == tq["status"])
            statuses[(tq["status"], q["status"] if q else "missing")] += 1
            rows["speaker"].add(q is not None and speaker_ok(q["speaker"], [tq["speaker"]]))
            tf, pf = set(tq["flags"]), set(q["flags"]) if q else set()
            if tf or pf:
                rows["flags"].add(tf == pf)
            naive = "verbatim" if norm(tq["text"]) in src_norm else "not_in_source"
            base.add(naive == tq["status"])
        truth_om = [{"text": s} for s in d["omitted"]]
        score_text_items(
            rows,
            d["additions"],
            r["additions"],
            truth_om,
            r["omissions"],
            files[d["id"]],
            files[d["source"]],
            [],
            [],
        )
    dt = time.perf_counter() - t0
    confusion = ", ".join(f"{t}→{p} {k}" for (t, p), k in sorted(statuses.items()) if t != p)
    return (
        rows,
        dt,
        f"baseline quote verdict (substring check) {base}; errors: {confusion or 'none'}",
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=300, help="generated derivatives (0: none)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--words", type=int, default=400)
    ap.add_argument("--show", action="store_true", help="list the misses on the hand-written set")
    args = ap.parse_args()
    gen, dt, note = eval_generated(args.n, args.seed, args.words)
    t0 = time.perf_counter()
    hand, n_pairs = eval_hand(args.show)
    held, n_held = eval_hand(args.show, HELDOUT_DIR)
    dt_hand = time.perf_counter() - t0
    print(
        f"generated: {args.n} derivatives (seed {args.seed}, ~{args.words} words) in {dt:.1f} s; "
        f"hand-written: {n_pairs} pairs, held-out hand-written: {n_held} pairs, in {dt_hand:.1f} s"
    )
    width = max(len(label) for label, _ in ROWS)
    print(f"{'judgment':<{width}}  {'generated':>16}  {'hand-written':>16}  {'held-out':>14}")
    for label, key in ROWS:
        print(f"{label:<{width}}  {gen[key]!s:>16}  {hand[key]!s:>16}  {held[key]!s:>14}")
    if note:
        print(note)


if __name__ == "__main__":
    main()
