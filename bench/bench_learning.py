"""Learning store figures: ingest rate, theme mining time and memory for 50,000 records, grouping quality.

Starts its own throwaway redis-server (append-only, ``appendfsync everysec`` as `make run` does) on a free
port and prints:

- ingest: redacted event summaries turned into records by the consumer (stream + indexes + states), records/s;
  and end to end: raw summaries through the engine's forwarder, redacted with spaCy by the consumer, records/s;
- mining: wall time and peak memory (max RSS of the mining worker process, and of this process) for 50,000
  records over 30 days;
- grouping quality on ``../shared/eval/dstc11_development_utterances.jsonl`` (redacted first, as the product
  stores them): number of themes chosen by the product, NMI and clustering accuracy (Hungarian matching);
  without that file only these are 'not measured' (named in the JSON's ``not_measured``);
- a new day placed in kept themes, on the same data: half of it mined with 4 gold intents held back, the rest
  placed by similarity to the themes' centres; per similarity, how many utterances of known intents join their
  theme, how many of the held-back intents form new themes, and NMI/ACC of the whole (the chosen value:
  ``ASSIGN_SIMILARITY``);
- NLU candidates: the nearest-intent suggestion on data/nlu's examples (5-fold held out) and CLINC150's
  out-of-scope queries; per similarity, the share of utterances suggested an intent and the share right
  (the chosen value: ``SUGGEST_SIMILARITY``).

    .venv/bin/python bench/bench_learning.py [--records 50000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
import numpy.typing as npt
from redis.asyncio import Redis
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import normalized_mutual_info_score

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


from bot.insights.filters import make_filters  # noqa: E402
from bot.insights.state import start_insights, stop_insights  # noqa: E402
from bot.insights.themes import SUGGEST_SIMILARITY, mine  # noqa: E402
from core.settings import Settings  # noqa: E402
from engine.forwarder import Forwarder  # noqa: E402
from learning import keys  # noqa: E402
from learning.consumer import Consumer  # noqa: E402
from learning.events import EventRedaction  # noqa: E402
from learning.mining import clustering  # noqa: E402
from learning.mining.assignment import ASSIGN_SIMILARITY, place_texts  # noqa: E402
from learning.mining.engine import mine_texts  # noqa: E402
from learning.mining.features import WordVectors, fit_features  # noqa: E402
from learning.mining.intents import training_examples  # noqa: E402
from learning.redaction import build_redactor  # noqa: E402
from learning.store import LearningStore  # noqa: E402
from tools.replay.templates import OUT_OF_SCOPE, PROBLEMS, TOPICS, Templates  # noqa: E402

DSTC = ROOT.parent / "shared" / "eval" / "dstc11_development_utterances.jsonl"
CLINC_OOS = ROOT.parent / "shared" / "eval" / "clinc150_oos_dev.txt"
HELD_BACK_INTENTS = 4
ASSIGN_SWEEP = (0.45, 0.5, 0.55, 0.6, 0.65, 0.7)
SUGGEST_SWEEP = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8)
SPACY = Settings().spacy_model
"""The app's English pipeline (en_core_web_md 3.8 from the mooring wheel): redaction and word vectors."""
END_TO_END_EVENTS = 3000
BASELINE = "TF-IDF + SVD + k-means with the true k: NMI 0.80, ACC 0.63 (../shared/eval/README.md)"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_redis(directory: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    binary = shutil.which("redis-server") or str(Path(sys.executable).with_name("redis-server"))
    args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(directory), "--appendonly", "yes",
            "--appendfsync", "everysec", "--save", ""]  # fmt: skip
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL)
    for _ in range(100):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return process, port
        time.sleep(0.05)
    raise RuntimeError("redis-server did not start")


def synthetic_summaries(count: int, seed: int = 11) -> list[dict[str, object]]:
    """``count`` fallback turns of realistic wording over 30 days, from 8,000 customers (already redacted)."""
    rng = random.Random(seed)
    templates = Templates(seed)
    cores = [t for texts in TOPICS.values() for t in texts] + OUT_OF_SCOPE + [t for p in PROBLEMS.values() for t in p]
    now = time.time()
    summaries: list[dict[str, object]] = []
    for i in range(count):
        cid = f"bench-{i // 2}"
        text = templates.utterance(rng.choice(cores)).replace("07700 900", "<PHONE>")[:200]
        at = now - rng.random() * 30 * 86400
        if i % 2 == 0:
            customer = f"{rng.randrange(8000):032x}"
            summaries.append({"type": "slot", "name": "identity", "value": {"customer": customer, "refs": []},
                              "conversation_id": cid, "at": at})  # fmt: skip
        intent = rng.choice(["nlu_fallback", "out_of_scope", "bill_too_high"])
        summaries.append({"type": "user", "text": text, "channel": "web", "entities": [], "conversation_id": cid,
                          "at": at + 1, "intent": {"name": intent, "confidence": 0.45},
                          "ranking": [{"name": intent, "confidence": 0.45}]})  # fmt: skip
    for summary in summaries:
        summary.update(v=1, eid=uuid.uuid4().hex, model_id="bench")
    return summaries


async def ingest(redis: Redis, store_consumer: Consumer, summaries: list[dict[str, object]]) -> float:
    async with redis.pipeline(transaction=False) as pipe:
        for summary in summaries:
            pipe.xadd(keys.EVENTS, {"v": "1", "e": json.dumps(summary)})
        await pipe.execute()
    began = time.perf_counter()
    await store_consumer.ensure_group()
    while await store_consumer.process_once(block_ms=None):
        pass
    return time.perf_counter() - began


async def end_to_end(redis: Redis, store: LearningStore) -> tuple[float, int]:
    """Rasa-shaped user events through the engine's forwarder (raw summaries on the stream) and the consumer,
    which redacts them with spaCy before anything is stored."""
    redaction = EventRedaction(lambda: build_redactor(str(SPACY), str(ROOT / "data" / "nlu")), "bench-secret")
    redaction.redact_text("warm up the pipeline, Tom")
    consumer = Consumer(store, 0.6, 3600.0, redaction=redaction)
    await consumer.ensure_group()
    templates = Templates(5)
    cores = [t for texts in TOPICS.values() for t in texts]
    events = [{"sender_id": f"e2e-{i}", "event": "user", "timestamp": time.time(), "input_channel": "web",
               "text": templates.utterance(templates.rng.choice(cores)),
               "parse_data": {"intent": {"name": "nlu_fallback", "confidence": 0.5},
                              "intent_ranking": [], "entities": []}} for i in range(END_TO_END_EVENTS)]  # fmt: skip
    before = await redis.xlen(keys.RECORDS)
    forwarder = Forwarder(redis, capacity=END_TO_END_EVENTS, maxlen=10 * END_TO_END_EVENTS)
    began = time.perf_counter()
    forwarder.start()
    for event in events:
        forwarder.publish(event)
    await forwarder.drain(600)
    while await consumer.process_once(block_ms=None):
        pass
    elapsed = time.perf_counter() - began
    await forwarder.close()
    return elapsed, int(await redis.xlen(keys.RECORDS)) - before


def clustering_accuracy(gold: npt.NDArray[np.int64], found: npt.NDArray[np.int64]) -> float:
    size = max(gold.max(), found.max()) + 1
    counts = np.zeros((size, size))
    for g, f in zip(gold, found, strict=True):
        counts[f, g] += 1
    rows, cols = linear_sum_assignment(-counts)
    return float(counts[rows, cols].sum() / len(gold))


NOT_MEASURED: dict[str, str] = {}
"""Figure -> why it is absent (e.g. the shared evaluation data is missing); the other figures still are."""
FIGURES: dict[str, object] = {"not_measured": NOT_MEASURED}
"""What ``--json`` writes: the same figures as printed."""


def new_day_placement(redacted: list[str], gold: npt.NDArray[np.int64]) -> None:
    """Mine half the utterances (without ``HELD_BACK_INTENTS`` intents), place the rest; averaged over 3 seeds."""
    print(f"  a new day placed in kept themes ({HELD_BACK_INTENTS} gold intents held back from the mined half):")
    sums: dict[float, npt.NDArray[np.float64]] = {}
    for seed in (1, 2, 3):
        rng = random.Random(seed)
        novel = set(rng.sample(range(int(gold.max()) + 1), HELD_BACK_INTENTS))
        order = list(range(len(redacted)))
        rng.shuffle(order)
        first = [i for i in order[: len(order) // 2] if gold[i] not in novel]
        taken = set(first)
        second = [i for i in order if i not in taken]
        base = place_texts([redacted[i] for i in first], [], str(SPACY))
        references = [theme.references for theme in base.new_themes]
        members: dict[int, list[int]] = {}
        for i, theme in zip(first, base.themes, strict=True):
            members.setdefault(theme, []).append(int(gold[i]))
        majority = {theme: max(set(golds), key=golds.count) for theme, golds in members.items()}
        for threshold in ASSIGN_SWEEP:
            placed = place_texts([redacted[i] for i in second], references, str(SPACY), threshold=threshold)
            known = [(i, t) for i, t in zip(second, placed.themes, strict=True) if gold[i] not in novel]
            new = [t for i, t in zip(second, placed.themes, strict=True) if gold[i] in novel]
            joined = sum(1 for i, t in known if t < len(references) and gold[i] == majority[t]) / len(known)
            formed = sum(1 for t in new if t >= len(references)) / len(new)
            labels, truth = np.array(base.themes + placed.themes), gold[first + second]
            figures = [joined, formed, normalized_mutual_info_score(truth, labels), clustering_accuracy(truth, labels)]
            sums[threshold] = sums.get(threshold, np.zeros(4)) + np.array(figures)
    rows = {}
    for threshold, total in sums.items():
        joined, formed, nmi, acc = total / 3
        rows[str(threshold)] = {"known_joined_their_theme": joined, "held_back_formed_new_themes": formed,
                                "nmi": nmi, "acc": acc}  # fmt: skip
        chosen = "  <- ASSIGN_SIMILARITY" if abs(threshold - ASSIGN_SIMILARITY) < 1e-9 else ""
        print(f"    {threshold:.2f}: known intents join their theme {joined:.0%}, held-back intents form new "
              f"themes {formed:.0%}, NMI {nmi:.3f} ACC {acc:.3f}{chosen}")  # fmt: skip
    FIGURES["new_day_placement"] = {"chosen": ASSIGN_SIMILARITY, "by_similarity": rows}


def nlu_suggestions() -> None:
    """Nearest-intent suggestions: data/nlu examples held out 5-fold (gold: their intent) and CLINC150's
    out-of-scope queries (gold: out_of_scope), in a space fitted on the held-out texts as the product fits it."""
    if not CLINC_OOS.exists():
        NOT_MEASURED["nlu_suggestions"] = f"not measured: {os.path.relpath(CLINC_OOS, ROOT)} missing"
        return
    examples = training_examples(ROOT / "data" / "nlu")
    outside = [line.strip() for line in CLINC_OOS.read_text().splitlines() if line.strip()]
    pairs = [(text, intent) for intent, texts in examples.items() for text in texts]
    random.Random(0).shuffle(pairs)
    vectors = WordVectors.load(SPACY)
    found: list[tuple[str, str, float]] = []
    for fold in range(5):
        held = pairs[fold::5]
        train: dict[str, list[str]] = {}
        for j, (text, intent) in enumerate(pairs):
            if j % 5 != fold:
                train.setdefault(intent, []).append(text)
        texts = [text for text, _ in held] + outside
        space, matrix = fit_features(texts, vectors)
        names = sorted(train)
        centres = np.vstack([space.transform(train[n]).mean(axis=0) for n in names])
        centres /= np.linalg.norm(centres, axis=1, keepdims=True)
        similarity = matrix @ centres.T
        golds = [intent for _, intent in held] + ["out_of_scope"] * len(outside)
        for row, gold_intent in enumerate(golds):
            best = int(similarity[row].argmax())
            found.append((gold_intent, names[best], float(similarity[row, best])))
    print(f"NLU candidates: {len(pairs)} data/nlu examples (5-fold held out) + {len(outside)} CLINC150 out-of-scope")
    rows = {}
    for threshold in SUGGEST_SWEEP:
        suggested = [f for f in found if f[2] >= threshold]
        coverage = len(suggested) / len(found)
        precision = sum(1 for g, p, _ in suggested if g == p) / max(len(suggested), 1)
        rows[str(threshold)] = {"coverage": coverage, "precision": precision}
        chosen = "  <- SUGGEST_SIMILARITY" if abs(threshold - SUGGEST_SIMILARITY) < 1e-9 else ""
        print(f"    {threshold:.2f}: an intent suggested for {coverage:.0%}, right {precision:.0%}{chosen}")
    FIGURES["nlu_suggestions"] = {"chosen": SUGGEST_SIMILARITY, "by_similarity": rows}


def dstc_quality() -> None:
    if not DSTC.exists():
        NOT_MEASURED["dstc11"] = f"not measured: {os.path.relpath(DSTC, ROOT)} missing"
        print(f"DSTC11 grouping quality: {NOT_MEASURED['dstc11']}")
        return
    rows = [json.loads(line) for line in DSTC.read_text().splitlines() if line.strip()]
    names = sorted({r["intent"] for r in rows})
    gold = np.array([names.index(r["intent"]) for r in rows])
    redactor = build_redactor(str(SPACY), str(ROOT / "data" / "nlu"))
    redacted = redactor.redact_many([r["utterance"] for r in rows])
    changed = sum(1 for r, t in zip(rows, redacted, strict=True) if r["utterance"] != t)
    print(f"DSTC11 development: {len(rows)} utterances, {len(names)} gold intents, {changed} changed by redaction")
    began = time.perf_counter()
    mined = mine_texts(redacted, str(SPACY))
    labels = np.array(mined.labels)
    print(f"  themes chosen by the product: {labels.max() + 1}  (merge distance {clustering.MERGE_DISTANCE})")
    nmi, acc = normalized_mutual_info_score(gold, labels), clustering_accuracy(gold, labels)
    FIGURES["dstc11"] = {"utterances": len(rows), "gold_intents": len(names), "themes": int(labels.max() + 1),
                         "nmi": float(nmi), "acc": acc, "baseline_nmi": 0.80, "baseline_acc": 0.63}  # fmt: skip
    print(f"  NMI {nmi:.3f}  ACC {acc:.3f}  "
          f"in {time.perf_counter() - began:.1f} s   baseline: {BASELINE}")  # fmt: skip
    print("  sensitivity to the merge distance (same features):")
    for distance in (0.5, 0.55, 0.6, 0.65, 0.7):
        swept = np.array(mine_texts(redacted, str(SPACY), distance=distance).labels)
        print(f"    {distance:.2f}: {swept.max() + 1:3d} themes  NMI {normalized_mutual_info_score(gold, swept):.3f}"
              f"  ACC {clustering_accuracy(gold, swept):.3f}")  # fmt: skip
    new_day_placement(redacted, gold)


async def main(records: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        process, port = start_redis(Path(tmp))
        redis: Redis = Redis.from_url(f"redis://127.0.0.1:{port}/0")
        try:
            settings = Settings(redis_url=f"redis://127.0.0.1:{port}/0")
            state = await start_insights(settings, redis)
            consumer = Consumer(state.store, 0.6, 3600.0)
            FIGURES["records"] = records
            summaries = synthetic_summaries(records)
            seconds = await ingest(redis, consumer, summaries)
            stored = int(await redis.xlen(keys.RECORDS))
            FIGURES["ingest_records_per_s"] = stored / seconds
            print(f"ingest: {stored} records from {len(summaries)} events in {seconds:.1f} s = "
                  f"{stored / seconds:,.0f} records/s (consumer: states, records, indexes, acks)")  # fmt: skip
            filters = make_filters(now=time.time())
            began = time.perf_counter()
            run = await mine(state, filters)
            mining_s = time.perf_counter() - began
            own_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            FIGURES["mining"] = {"records": run["records"], "themes": len(run["themes"]), "wall_s": mining_s,
                                 "worker_peak_rss_mb": run["mining"]["peak_rss_mb"]}  # fmt: skip
            print(f"mining: {run['records']} records -> {len(run['themes'])} themes shown "
                  f"({run['hidden']['themes']} below k) in {mining_s:.1f} s wall, of which "
                  f"{run['mining']['seconds']:.1f} s in the worker (incl. loading word vectors)")  # fmt: skip
            print(f"  peak memory: mining worker {run['mining']['peak_rss_mb']:,.0f} MB max RSS "
                  f"(incl. spaCy and the word vectors); gateway-side process {own_mb:,.0f} MB")  # fmt: skip
            hour_ago = time.time() - 3600
            day = [dict(s, at=hour_ago + (s["type"] == "user"), conversation_id=f"day-{s['conversation_id']}")
                   for s in synthetic_summaries(records // 30, seed=12)]  # fmt: skip
            await ingest(redis, consumer, day)
            began = time.perf_counter()
            placed = await mine(state, make_filters(now=time.time() + 600))
            placing_s = time.perf_counter() - began
            FIGURES["new_day"] = {"records": placed["mining"]["records"], "wall_s": placing_s,
                                  "themes": len(placed["themes"])}  # fmt: skip
            again = "kept themes" if placed["mined_at"] == run["mined_at"] else "themes MINED AGAIN"
            print(f"a new day: {placed['mining']['records']} records placed in the {again} in {placing_s:.1f} s "
                  f"wall ({len(placed['themes'])} themes shown)")  # fmt: skip
            await stop_insights(state)
            memory = await redis.info("memory")
            print(f"  redis-server: {memory['used_memory_peak_human']} peak for the records, indexes and states")
            e2e_seconds, e2e_records = await end_to_end(redis, state.store)
            FIGURES["end_to_end_records_per_s"] = e2e_records / e2e_seconds
            print(f"end to end: {e2e_records} records in {e2e_seconds:.1f} s = {e2e_records / e2e_seconds:,.0f} "
                  "records/s (Rasa events -> stream -> the consumer's spaCy redaction, one process)")  # fmt: skip

        finally:
            await redis.aclose()
            process.terminate()
            process.wait(10)
    dstc_quality()
    nlu_suggestions()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--json", type=Path, help="write the figures here")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.records))
    if arguments.json:
        arguments.json.write_text(json.dumps(FIGURES, indent=2))
