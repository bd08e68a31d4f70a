"""NLU quality and cost of the triage bot, printed as figures (issue targets in brackets).

- 5-fold cross-validation of the NLU on data/nlu: intent macro-F1 and accuracy [macro-F1 >= 0.92]
- public out-of-scope queries (../shared/eval/clinc150_oos_dev.txt, never trained on): share answered
  out_of_scope or nlu_fallback [>= 0.85]
- training time of the full model (NLU + dialogue) on this machine [<= 5 minutes on 2 cores]
- resident memory of a Rasa server with the model loaded, after answering messages

Usage: .venv/bin/python bench/bench_nlu.py [--skip-crossval] [--skip-train] [--json FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.training import model_path, rasa_command, rasa_env  # noqa: E402
from tests.fixtures.ports import free_port, wait_for_port  # noqa: E402

OOS_FILE = ROOT.parent / "shared" / "eval" / "clinc150_oos_dev.txt"
UNRESOLVED = {"out_of_scope", "nlu_fallback"}


def crossval(folds: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as out:
        subprocess.run(
            [*rasa_command(), "test", "nlu", "--nlu", "data/nlu", "--config", "config.yml", "--cross-validation",
             "--folds", str(folds), "--out", out],
            cwd=ROOT, env=rasa_env(), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        report = json.loads((Path(out) / "intent_report.json").read_text())
    return {"macro_f1": report["macro avg"]["f1-score"], "accuracy": report["accuracy"]}


def train_seconds() -> float:
    with tempfile.TemporaryDirectory() as out:
        started = time.monotonic()
        subprocess.run([*rasa_command(), "train", "--out", out, "--force"], cwd=ROOT, env=rasa_env(), check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        return time.monotonic() - started


async def out_of_scope_share(model: Path) -> tuple[float, int, dict[str, int]]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    queries = [line.strip() for line in OOS_FILE.read_text().splitlines() if line.strip()]
    predicted: dict[str, int] = {}
    for query in queries:
        name = (await agent.parse_message(query))["intent"]["name"]
        predicted[name] = predicted.get(name, 0) + 1
    resolved_as_oos = sum(n for intent, n in predicted.items() if intent in UNRESOLVED)
    return resolved_as_oos / len(queries), len(queries), predicted


def server_memory_mb(model: Path) -> dict[str, float]:
    """Start `rasa run` with the model (no action server needed for NLU parses), parse messages, read its RSS."""
    import httpx

    port = free_port()
    endpoints = Path(tempfile.mkdtemp()) / "endpoints.yml"
    endpoints.write_text("action_endpoint:\n  url: http://127.0.0.1:9/webhook\n")  # in-memory tracker store
    server = subprocess.Popen(
        [*rasa_command(), "run", "--enable-api", "--port", str(port), "--model", str(model), "-i", "127.0.0.1",
         "--endpoints", str(endpoints)],
        cwd=ROOT, env=rasa_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        started = time.monotonic()
        while server.poll() is None:
            try:
                wait_for_port(port, timeout_s=1)
                break
            except TimeoutError:
                continue
        if server.poll() is not None:
            raise RuntimeError(f"rasa run exited with {server.returncode}")
        ready_s = time.monotonic() - started
        for text in ["my internet is down", "why is my bill so high", "where is my order"] * 20:
            httpx.post(f"http://127.0.0.1:{port}/model/parse", json={"text": text}, timeout=30).raise_for_status()
        status = Path(f"/proc/{server.pid}/status").read_text()
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        return {
            "rss_mb": int(fields["VmRSS"].split()[0]) / 1024,
            "peak_rss_mb": int(fields["VmHWM"].split()[0]) / 1024,
            "ready_s": ready_s,
        }
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-crossval", action="store_true")
    parser.add_argument("--skip-train", action="store_true")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    os.environ.update(rasa_env())
    figures: dict[str, object] = {"cores": os.cpu_count()}
    model = model_path()
    if not model.exists():
        sys.exit(f"No model for this checkout ({model.name}): run `make train` first.")

    share, count, predicted = asyncio.run(out_of_scope_share(model))
    figures["oos_share"] = share
    print(f"out-of-scope share on {count} CLINC150 queries: {share:.3f} [target >= 0.85]")
    print("  predicted intents:", dict(sorted(predicted.items(), key=lambda kv: -kv[1])))
    memory = server_memory_mb(model)
    figures["rasa_server"] = memory
    print(f"Rasa server: RSS {memory['rss_mb']:.0f} MB (peak {memory['peak_rss_mb']:.0f} MB), "
          f"accepting connections after {memory['ready_s']:.0f} s")  # fmt: skip
    if not args.skip_train:
        seconds = train_seconds()
        figures["train_s"] = seconds
        print(f"training time (NLU + dialogue, from scratch): {seconds:.0f} s [target <= 300 s]")
    if not args.skip_crossval:
        scores = crossval(args.folds)
        figures["crossval"] = scores
        print(f"{args.folds}-fold cross-validation: intent macro-F1 {scores['macro_f1']:.3f} [target >= 0.92], "
              f"accuracy {scores['accuracy']:.3f}")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
