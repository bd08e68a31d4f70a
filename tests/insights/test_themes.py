"""Themes through the API: grouping by meaning, titles and key terms, k-threshold, trend, findings, drill-down,
exports, stable ids across windows and days, coverage of every record, refresh, NLU candidates."""

from __future__ import annotations

import csv
import io
import json
import re
import time
from datetime import UTC, datetime
from typing import Any

import httpx
import yaml
from redis.asyncio import Redis

from bot.insights.candidates import candidate, phrase
from bot.insights.themes import SUGGEST_SIMILARITY, theme_text
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
TV = [
    "the tv box keeps freezing",
    "tv box says no signal",
    "my tv recordings disappeared from the box",
    "tv box remote will not pair",
    "the tv box freezes every evening",
    "tv box lost all my recordings",
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
    assert esim["label"] in ESIM and roaming["label"] in ROAMING, "a customer's sentence is the title"
    assert "esim" in esim["terms"][:3] and "roaming" in roaming["terms"][:3]
    assert esim["trend"]["direction"] == "new", "nothing in the window's earlier half: new, not rising"
    assert roaming["trend"]["direction"] == "falling"
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
    assert (await po.get("/api/insights/themes/T999")).status_code == 404, "no such theme"


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


async def test_a_new_days_records_join_the_existing_themes_and_ids_stay(
    po: httpx.AsyncClient, seeder: Seeder, redis: Redis
) -> None:
    await seed_world(seeder)
    before = (await po.get("/api/insights/themes")).json()
    esim = theme_with(before["themes"], "esim")
    mined_at = before["mined_at"]
    today = time.time() - 600
    for i, customer in enumerate(["CUST-30", "CUST-31", "CUST-32"]):
        await seeder.conversation(
            [f"my esim will not activate on the {phone}" for phone in ("iphone", "pixel", "galaxy")][i : i + 1],
            customer=customer,
            at=today + i,
        )
    for i, customer in enumerate(["CUST-40", "CUST-41", "CUST-42"]):
        await seeder.conversation([TV[i], TV[i + 3]], customer=customer, at=today + i)
    week = {"from": _iso(time.time() - 7 * DAY)}
    after = (await po.get("/api/insights/themes", params=week)).json()
    assert after["mined_at"] == mined_at, "the new day was placed, nothing was mined again"
    esim_now = theme_with(after["themes"], "esim")
    assert (esim_now["id"], esim_now["label"]) == (esim["id"], esim["label"]), "same id and title in another window"
    assert esim_now["size"] == esim["size"] + 3 == 11, "the day's three esim records joined the theme"
    tv = theme_with(after["themes"], "tv")
    assert tv["id"] not in {t["id"] for t in before["themes"]} and tv["label"] in TV, "a new need: a new theme"
    assert tv["trend"]["direction"] == "new"
    month = (await po.get("/api/insights/themes")).json()
    assert {t["id"] for t in month["themes"]} >= {esim["id"], theme_with(before["themes"], "roaming")["id"], tv["id"]}
    page = (await po.get(f"/api/insights/themes/{esim['id']}", params=week)).json()
    assert page["size"] == 11 and len(page["conversation_ids"]) == 4 + 3


async def test_every_record_of_the_window_is_counted(po: httpx.AsyncClient, seeder: Seeder) -> None:
    await seed_world(seeder)
    now = time.time()
    await seeder.conversation(["my esim is stuck on activating", "<POSTCODE>"], customer="CUST-50", at=now - DAY)
    await seeder.conversation(["<POSTCODE>"], customer="CUST-51", at=now - DAY)
    run = (await po.get("/api/insights/themes")).json()
    cover = run["coverage"]
    records = len((await po.get("/api/insights/records", params={"page_size": 500})).json()["records"])
    assert cover["records"] == run["records"] == records == 27
    assert cover["shown"] + cover["hidden"] + cover["without_words"] == records
    assert cover["shown"] == sum(t["size"] for t in run["themes"])
    assert cover["without_words"] == 1, "a postcode alone, with nothing else said in its conversation"
    assert theme_with(run["themes"], "esim")["size"] == 8 + 2, "the postcode answer joins its conversation's theme"
    assert cover["hidden"] == run["hidden"]["records"] >= len(ENGINEER + PARENTAL)


async def test_rising_only_when_the_earlier_half_had_the_theme(po: httpx.AsyncClient, seeder: Seeder) -> None:
    now = time.time()
    await seeder.conversation([ROAMING[0]], customer="CUST-1", at=now - 25 * DAY)
    for i, customer in enumerate(["CUST-2", "CUST-3", "CUST-4", "CUST-5"]):
        await seeder.conversation([ROAMING[1 + i]], customer=customer, at=now - 2 * DAY)
    for i, customer in enumerate(["CUST-6", "CUST-7", "CUST-8"]):
        await seeder.conversation([ESIM[i]], customer=customer, at=now - DAY)
    themes = (await po.get("/api/insights/themes")).json()["themes"]
    roaming, esim = theme_with(themes, "roaming"), theme_with(themes, "esim")
    assert roaming["trend"] == {"direction": "rising", "recent": 4, "earlier": 1, "change": 3.0}
    assert esim["trend"]["direction"] == "new" and esim["trend"]["earlier"] == 0


async def test_refresh_mines_again_with_new_ids(po: httpx.AsyncClient, seeder: Seeder) -> None:
    await seed_world(seeder)
    first = (await po.get("/api/insights/themes")).json()
    refreshed = await po.post("/api/insights/themes/refresh", json={})
    assert refreshed.status_code == 200
    second = refreshed.json()
    assert second["mined_at"] > first["mined_at"]
    assert {t["label"] for t in second["themes"]} == {t["label"] for t in first["themes"]}, "same data, same themes"
    assert not {t["id"] for t in second["themes"]} & {t["id"] for t in first["themes"]}, "ids are not reused"
    gone = await po.get(f"/api/insights/themes/{first['themes'][0]['id']}")
    assert gone.status_code == 404 and "refreshed" in gone.json()["message"]
    assert (await po.get("/api/insights/themes")).json()["themes"] == second["themes"], "stable until the next one"


async def test_nlu_candidates_suggest_only_close_intents_and_leave_no_placeholders(
    po: httpx.AsyncClient, seeder: Seeder
) -> None:
    await seed_world(seeder)
    await seeder.conversation(["my name is <NAME> and my esim won't activate"], customer="CUST-60")
    await seeder.conversation(["text me on <PHONE> when my esim works"], customer="CUST-61")
    themes = (await po.get("/api/insights/themes")).json()["themes"]
    roaming, esim = theme_with(themes, "roaming"), theme_with(themes, "esim")
    response = await po.get("/api/insights/export/nlu.yml", params=[("theme", roaming["id"]), ("theme", esim["id"])])
    assert response.status_code == 200
    text = response.text
    document = yaml.safe_load(text)
    examples = {item["intent"]: item["examples"] for item in document["nlu"]}
    assert f"# new intent? theme {roaming['id']}" in text, "no intent is close enough to the roaming charges"
    assert "- why was I charged for roaming in spain" in examples[f"new_intent_{roaming['id']}"]
    assert "- my new esim won't activate" in examples["activation_problem"], "close enough (0.76) to suggest"
    assert "<NAME>" not in text and "my name is" not in text
    assert "# 1 phrase left out: personal data the bot has no entity for" in text
    assert "- text me on [07700 900000](phone_number) when my esim works" in text, "an entity becomes a sample"
    assert not re.search(r"<[A-Z]+>", text)
    assert (await po.get("/api/insights/export/nlu.yml")).status_code == 400
    unknown = await po.get("/api/insights/export/nlu.yml", params={"theme": "T999"})
    assert unknown.status_code == 404
    malformed = await po.get("/api/insights/export/nlu.yml", params=[("theme", roaming["id"]), ("theme", "T1;x")])
    assert malformed.status_code == 422 and malformed.json()["error"] == "invalid_request", "each id is checked"


def test_an_intent_is_suggested_only_from_the_measured_similarity() -> None:
    theme = {"id": "T4", "label": "how do I activate my esim"}
    close = candidate({"text": "esim won't activate", "intent": ["activation_problem", 0.71]}, theme)
    far = candidate({"text": "esim won't scan", "intent": ["activation_problem", 0.69]}, theme)
    assert close is not None and close["intent"] == "activation_problem"
    assert far is not None and far["intent"] is None and far["theme"] == "T4"
    assert SUGGEST_SIMILARITY == 0.7
    assert phrase("call me on <PHONE>") == "call me on [07700 900000](phone_number)"
    assert phrase("I'm <NAME>, born <DOB>") is None


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat()


async def test_deletion_on_request_keeps_the_ids_and_stops_quoting_the_deleted(
    po: httpx.AsyncClient, seeder: Seeder
) -> None:
    await seed_world(seeder)
    esim = theme_with((await po.get("/api/insights/themes")).json()["themes"], "esim")
    records = (await po.get("/api/insights/records", params={"page_size": 500})).json()["records"]
    said = {r["conversation_id"] for r in records if r["utterance"] == esim["label"]}
    for conversation_id in said:
        assert (await po.delete(f"/api/insights/conversations/{conversation_id}")).status_code == 200
    after = theme_with((await po.get("/api/insights/themes")).json()["themes"], "esim")
    assert after["id"] == esim["id"], "the same theme, still"
    assert after["label"] != esim["label"] and after["label"] in ESIM
    assert esim["label"] not in json.dumps(after), "nobody is quoted after their records were deleted"
