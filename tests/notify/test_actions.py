"""The notification dialogue's actions, against the real simulator and Redis: what is said and subscribed."""

from __future__ import annotations

from typing import Any

from redis.asyncio import Redis

from actions.notifications import ActionNotifyWhenRestored, ActionStopNotifications
from notify.subscriptions import Subscription, SubscriptionStore
from simulator.scenarios import BY_KEY
from tests.actions.conversation_state import DOMAIN, run, slot_values, texts, tracker
from tests.actions.diagnose import verified_slots
from tests.fixtures.simulator import RunningSimulator

ALARM = "4101"
CONVERSATION = "test-conversation"  # the sender id conversation_state.tracker gives


def offered(**slots: Any) -> dict[str, Any]:
    return {"awaiting": "outage_notification", "findings": {"alarm": ALARM, "diagnosis": "outage"}, **slots}


async def subs(store: SubscriptionStore) -> list[Subscription]:
    return await store.for_alarm(ALARM)


async def test_a_verified_customer_is_texted_on_their_mobile(
    action_env: RunningSimulator, store: SubscriptionStore
) -> None:
    scenario = BY_KEY["outage_area"]
    state = tracker(slots=verified_slots(scenario, "report_internet_down", **offered()), intents=["affirm"])
    events, dispatcher = await run(ActionNotifyWhenRestored(), state)
    assert "I'll text your mobile ending in 001" in texts(dispatcher)
    [sub] = await subs(store)
    assert sub.conversation_id == CONVERSATION and sub.channels == ("chat", "sms") and sub.sms_to == "+447700900001"
    notification = slot_values(events)["findings"]["notification"]
    assert notification["channels"] == ["chat", "sms"] and "900001" not in str(notification)
    assert slot_values(events)["awaiting"] is None


async def test_an_unidentified_customer_is_asked_which_mobile(
    action_env: RunningSimulator, store: SubscriptionStore
) -> None:
    events, dispatcher = await run(ActionNotifyWhenRestored(), tracker(slots=offered(), intents=["affirm"]))
    assert dispatcher.messages[0]["response"] == "utter_ask_notify_number"
    assert "account" not in texts(dispatcher)
    assert slot_values(events)["awaiting"] == "notify_number" and await subs(store) == []

    answer = tracker(slots=offered(awaiting="notify_number"), intents=["inform"], text="+44 (0)7700 900321")
    events, dispatcher = await run(ActionNotifyWhenRestored(), answer)
    assert "I'll text 07700 900321" in texts(dispatcher)
    [sub] = await subs(store)
    assert sub.sms_to == "+447700900321" and sub.channels == ("chat", "sms")
    assert "900321" not in str(slot_values(events)["findings"])


async def test_the_chat_alone_or_nothing(action_env: RunningSimulator, store: SubscriptionStore) -> None:
    chat = tracker(slots=offered(awaiting="notify_number"), intents=["affirm"], text="/affirm")
    _, dispatcher = await run(ActionNotifyWhenRestored(), chat)
    assert dispatcher.messages[0]["response"] == "utter_will_notify_chat"
    [sub] = await subs(store)
    assert sub.channels == ("chat",)

    await store.stop(CONVERSATION)
    for slots in (offered(), offered(awaiting="notify_number")):
        events, dispatcher = await run(ActionNotifyWhenRestored(), tracker(slots=slots, intents=["deny"]))
        assert dispatcher.messages[0]["response"] == "utter_no_notification"
        assert slot_values(events)["findings"]["notification"]["declined"] is True
    assert await subs(store) == []


async def test_what_is_not_a_mobile_is_asked_again(action_env: RunningSimulator, store: SubscriptionStore) -> None:
    for text, expected in [("12345", "doesn't look like a UK mobile"), ("020 7946 0001", "landline")]:
        state = tracker(slots=offered(awaiting="notify_number"), intents=["inform"], text=text)
        events, dispatcher = await run(ActionNotifyWhenRestored(), state)
        assert expected in texts(dispatcher) and DOMAIN["responses"][dispatcher.messages[0]["response"]][0]["buttons"]
        assert slot_values(events) == {"awaiting": "notify_number"}
    assert await subs(store) == []


async def test_stop_alerts(action_env: RunningSimulator, store: SubscriptionStore) -> None:
    _, dispatcher = await run(ActionStopNotifications(), tracker(intents=["stop_notifications"]))
    assert dispatcher.messages[0]["response"] == "utter_no_notifications_to_stop"
    await store.subscribe(Subscription(ALARM, CONVERSATION, ("chat",)))
    events, dispatcher = await run(ActionStopNotifications(), tracker(intents=["stop_notifications"]))
    assert dispatcher.messages[0]["response"] == "utter_notify_stopped"
    assert slot_values(events)["findings"]["notification"]["stopped"] == 1 and await subs(store) == []


async def test_redis_down_is_told_honestly(action_env: RunningSimulator, monkeypatch: Any, redis: Redis) -> None:
    import actions.notifications as module
    from core.settings import Settings

    monkeypatch.setattr(module, "get_settings", lambda: Settings(redis_url="redis://127.0.0.1:1/0"))
    events, dispatcher = await run(ActionNotifyWhenRestored(), tracker(slots=offered(awaiting="notify_number"),
                                                                        intents=["affirm"]))  # fmt: skip
    assert "can't set up that alert right now" in texts(dispatcher)
    assert slot_values(events)["findings"]["notification"]["failed"] is True
