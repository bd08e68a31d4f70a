"""``python -m bot.insights``: exports to files, themes, deletion, and the replay's conversation mix."""

from __future__ import annotations

import asyncio
import csv
from collections import Counter
from pathlib import Path

import pytest
import yaml

from bot.insights.__main__ import main
from bot.insights.replay.templates import Templates
from tests.fixtures.redis_server import RedisServer
from tests.insights.conftest import SECRET, Seeder
from tests.insights.test_themes import seed_world


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
