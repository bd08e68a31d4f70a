"""``python -m tools.insights``: exports to files, themes, deletion, the replay's conversation mix, and --help."""

from __future__ import annotations

import argparse
import asyncio
import csv
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

from tests.fixtures.redis_server import RedisServer
from tests.insights.conftest import SECRET, Seeder
from tests.insights.test_themes import seed_world
from tools.insights import main, parser
from tools.replay.templates import Templates


@pytest.fixture
def cli_environment(monkeypatch: pytest.MonkeyPatch, redis_server: RedisServer) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("TRIAGE_REDIS_URL", redis_server.url)
    monkeypatch.setenv("TRIAGE_LEARNING_PSEUDONYM_SECRET", SECRET)


@pytest.mark.usefixtures("cli_environment")
async def test_exports_and_deletion_from_the_command_line(seeder: Seeder, tmp_path: Path) -> None:
    await seed_world(seeder)
    records, nlu = tmp_path / "records.csv", tmp_path / "nlu.yml"
    assert await asyncio.to_thread(main, ["export", "records", "--format", "csv", "-o", str(records)]) == 0
    assert len(list(csv.DictReader(records.open()))) == 24
    assert await asyncio.to_thread(main, ["export", "nlu", "--all", "-o", str(nlu)]) == 0
    document = yaml.safe_load(nlu.read_text())
    assert sum(len(item["examples"].splitlines()) for item in document["nlu"]) == 11, "esim and roaming, deduplicated"
    assert await asyncio.to_thread(main, ["delete", "--customer", "CUST-1"]) == 0
    assert await asyncio.to_thread(main, ["export", "records", "-o", str(records)]) == 0
    assert len(list(csv.DictReader(records.open()))) == 22
    assert await asyncio.to_thread(main, ["export", "records", "--from", "tomorrow"]) == 2, "a clear refusal"


def test_the_replay_mix_is_varied_and_includes_failures() -> None:
    scripts = Templates(seed=7).mix(300)
    kinds = Counter(script.kind.partition(":")[0] for script in scripts)
    assert len(scripts) == 300
    assert {
        "topic",
        "out_of_scope",
        "triage",
        "abandoned",
        "verification_failed",
        "asked_for_person",
        "oss_failure",
    } <= set(kinds)
    assert len({script.kind for script in scripts if script.kind.startswith("topic:")}) >= 10
    assert all(script.fault for script in scripts if script.kind.startswith("oss_failure"))
    assert scripts[-1].fault, "failures run last, one at a time"
    assert Templates(seed=7).mix(50)[0].turns == Templates(seed=7).mix(50)[0].turns, "reproducible"


def _help(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "tools.insights", *args, "--help"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return " ".join(done.stdout.split())


def test_replay_help_describes_every_option_and_says_it_injects_faults() -> None:
    text = _help("replay")
    assert "It injects faults into the OSS/BSS simulator" in text
    assert "PUT <simulator>/admin/faults/<api>" in text and "clears the fault afterwards" in text
    for option, said in [
        ("--gateway URL", "the gateway to talk to"),
        ("--simulator URL", "the OSS/BSS simulator whose faults are set and cleared"),
        ("--conversations N", "how many conversations to run (default: 300)"),
        ("--concurrency N", "conversations at once"),
        ("--seed SEED", "seed of the conversation mix: the same seed replays the same conversations"),
    ]:
        assert f"{option} {said}" in text, option
    assert "injects faults into the simulator" in _help(), "the command list says so too"


@pytest.mark.parametrize("command", ["export", "themes", "watch", "retention", "delete", "replay"])
def test_every_option_of_every_command_is_described(command: str) -> None:
    [commands] = [a for a in parser()._actions if isinstance(a, argparse._SubParsersAction)]
    sub = commands.choices[command]
    assert sub.description and len(sub.description) > 40, "says what the command does"
    for action in sub._actions:
        assert action.help and len(action.help) > 8, f"{command} {action.option_strings or action.dest}"
    text = _help(command)
    for action in sub._actions:
        for option in action.option_strings:
            assert option in text


def test_a_bad_count_is_refused_with_a_sentence() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tools.insights", "replay", "--conversations", "0"], capture_output=True, text=True
    )
    assert done.returncode == 2 and "expected a whole number of at least 1, not '0'" in done.stderr


@pytest.mark.usefixtures("cli_environment")
async def test_themes_from_the_command_line_with_stable_ids_and_a_refresh(
    seeder: Seeder, capsys: pytest.CaptureFixture[str]
) -> None:
    await seed_world(seeder)
    assert await asyncio.to_thread(main, ["themes"]) == 0
    first = capsys.readouterr().out
    assert "themes mined just now; All 24 records of this window are covered" in first
    ids = re.findall(r"^- (T\d+) “", first, re.M)
    assert len(ids) == 2 and "key terms: esim" in first
    assert await asyncio.to_thread(main, ["themes", "--from", "2020-01-01T00:00:00Z"]) == 2, "over 400 days"
    assert "longer than 400 days" in capsys.readouterr().err
    assert await asyncio.to_thread(main, ["themes"]) == 0
    assert re.findall(r"^- (T\d+) “", capsys.readouterr().out, re.M) == ids, "the same ids on the next run"
    assert await asyncio.to_thread(main, ["themes", "--refresh"]) == 0
    again = re.findall(r"^- (T\d+) “", capsys.readouterr().out, re.M)
    assert len(again) == 2 and not set(again) & set(ids)
    nlu = await asyncio.to_thread(main, ["export", "nlu", "--theme", "T999"])
    assert nlu == 2 and "No theme T999" in capsys.readouterr().err
