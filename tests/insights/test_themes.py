"""Themes through the API: grouping by meaning, key terms, k-threshold, trend, findings, drill-down, exports."""

from __future__ import annotations

import csv
import io
import json
import time
from typing import Any

import httpx
import yaml

from bot.insights.themes import theme_text
from tests.insights.conftest import DAY, Seeder

ESIM = [
    "how do I activate my esim",
    "esim activation qr code not working",
    "my new esim won't activate",
    "the esim qr code says invalid",
    "cant activate esim on my iphone",
    "esim profile download failed on activation",
]
ROAMING = [
    "why was I charged for roaming in spain",
    "roaming charges on my bill from my holiday",
    "I was charged roaming fees in france",
    "roaming data charges are far too high",
    "charged for roaming while abroad",
]
ENGINEER = [
    "the engineer never turned up",
    "engineer missed the appointment again",
    "no engineer came today",
    "engineer did not show up for the appointment",
]
PARENTAL = [
    "set up parental controls",
    "parental controls on the router",
    "block websites parental controls",
    "turn on parental control filter",
    "parental controls not blocking sites",
]


async def seed_world(seeder: Seeder) -> None:
    now = time.time()
    for i, customer in enumerate(["CUST-1", "CUST-2", "CUST-3", "CUST-4"]):
        findings = {"order_fallout_step": "number_port", "order_state": "held"} if i < 3 else {}
        texts = ESIM[i : i + 2] if i < 3 else ESIM[4:]
        await seeder.conversation(
            texts, customer=customer, findings=findings, at=now - (1 + i) * DAY, intent="nlu_fallback"
        )
    for i, customer in enumerate(["CUST-5", "CUST-6", "CUST-7"]):
        escalation = "repeated_fallback" if i < 2 else None
        texts = ROAMING[i * 2 : i * 2 + 2] or ROAMING[-1:]
        await seeder.conversation(
            texts, customer=customer, escalation=escalation, at=now - 20 * DAY, intent="out_of_scope"
        )
    await seeder.conversation(ENGINEER[:2], customer="CUST-8", at=now - 3 * DAY)
    await seeder.conversation(ENGINEER[2:], customer="CUST-9", at=now - 3 * DAY)
    await seeder.conversation(PARENTAL, customer="CUST-10", at=now - 2 * DAY)


def theme_with(themes: list[dict[str, Any]], word: str) -> dict[str, Any]:
    [theme] = [t for t in themes if any(word in term for term in t["terms"][:3])]
    return theme


async def test_themes_group_by_meaning_and_respect_the_k_threshold(po: httpx.AsyncClient, seeder: Seeder) -> None:
    await seed_world(seeder)
    response = await po.get("/api/insights/themes")
    assert response.status_code == 200
    run = response.json()
    themes = run["themes"]
    assert len(themes) == 2, [t["label"] for t in themes]
    esim, roaming = theme_with(themes, "esim"), theme_with(themes, "roaming")
    assert (esim["customers"], roaming["customers"]) == (4, 3)
    assert run["hidden"]["themes"] >= 2, "engineer (2 customers) and parental controls (1) stay hidden"
    assert run["k"] == 3
    assert esim["trend"]["direction"] == "rising" and roaming["trend"]["direction"] == "falling"
    assert esim["findings"][0]["text"].startswith("75% of this theme's conversations have an order held at number port")
    assert roaming["escalation_share"] == 0.667
    assert roaming["triggers"] == {"out_of_scope": 5, "escalation": 2}, "escalations quote the last utterance"
    assert set(esim["examples"]) <= set(ESIM) and len(esim["examples"]) >= 3
    assert "members" not in esim, "member lists stay inside"
    for theme in themes:
        assert not any(text in json.dumps(theme) for text in ENGINEER + PARENTAL)


async def test_drill_down_from_a_theme_to_its_transcripts(po: httpx.AsyncClient, seeder: Seeder) -> None:
    await seed_world(seeder)
    esim = theme_with((await po.get("/api/insights/themes")).json()["themes"], "esim")
    detail = (await po.get(f"/api/insights/themes/{esim['id']}")).json()
    assert len(detail["conversation_ids"]) == 4
    page = (await po.get(f"/api/insights/themes/{esim['id']}/conversations", params={"page_size": 2})).json()
    assert page["total"] == 4 and len(page["conversations"]) == 2
    conversation = page["conversations"][0]
    assert [line["who"] for line in conversation["transcript"]][:2] == ["customer", "bot"]
    assert conversation["records"][0]["intent_ranking"][0]["name"] == "nlu_fallback"
    assert (await po.get("/api/insights/themes/nope.1")).status_code == 422
    assert (await po.get("/api/insights/themes/0123456789abcdef-1.0-1-3.0")).status_code == 404, "expired run"


async def test_exports_stream_records_and_themes(po: httpx.AsyncClient, seeder: Seeder) -> None:
    await seed_world(seeder)
    records = await po.get("/api/insights/export/records.csv")
    assert records.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(records.text)))
    assert len(rows) == 24 and {"utterance", "trigger", "findings"} <= set(rows[0])
    as_json = (await po.get("/api/insights/export/records.json", params={"trigger": "out_of_scope"})).json()
    assert len(as_json["records"]) == 5 and as_json["v"] == 1
    themes_csv = list(csv.DictReader(io.StringIO((await po.get("/api/insights/export/themes.csv")).text)))
    assert len(themes_csv) == 2
    themes_json = (await po.get("/api/insights/export/themes.json")).json()
    assert len(themes_json["themes"]) == 2 and "members" not in themes_json["themes"][0]


async def test_nlu_export_suggests_the_nearest_existing_intent(po: httpx.AsyncClient, seeder: Seeder) -> None:
    await seed_world(seeder)
    roaming = theme_with((await po.get("/api/insights/themes")).json()["themes"], "roaming")
    response = await po.get("/api/insights/export/nlu.yml", params={"theme": roaming["id"]})
    document = yaml.safe_load(response.text)
    assert document["version"] == "3.1"
    intents = {item["intent"] for item in document["nlu"]}
    assert "bill_too_high" in intents, intents
    examples = "".join(item["examples"] for item in document["nlu"])
    assert "- why was I charged for roaming in spain" in examples
    assert (await po.get("/api/insights/export/nlu.yml")).status_code == 400


async def test_volume_by_trigger_and_day(po: httpx.AsyncClient, seeder: Seeder) -> None:
    await seed_world(seeder)
    volume = (await po.get("/api/insights/volume", params={"bucket": "day"})).json()
    assert volume["bucket"] == "day" and len(volume["buckets"]) in (30, 31)
    assert sum(volume["series"]["out_of_scope"]) == 5
    assert sum(volume["series"]["escalation"]) == 2
    assert volume["total"] == 24
    filtered = (await po.get("/api/insights/volume", params={"finding": "order_fallout_step=number_port"})).json()
    assert filtered["total"] == 6


def test_form_answers_are_themed_by_the_problem_that_started_the_flow() -> None:
    record = {"utterance": "sure, it's <ACCOUNT>", "problem_utterance": "where is my order"}
    assert theme_text(record) == "where is my order"
    assert theme_text({"utterance": "<POSTCODE>", "problem_utterance": None}) is None
    assert theme_text({"utterance": "the esim won't scan", "problem_utterance": "x"}) == "the esim won't scan"
