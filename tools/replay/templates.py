"""Realistic traffic for a fresh installation: scripted conversations built from templates and the simulator's
scenario customers, including the ones the bot cannot resolve (unknown topics, odd wordings, out of scope,
abandoned forms, failed verification, OSS/BSS outages). Written for this product, not taken from any dataset.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from simulator import apis
from simulator.scenarios import SCENARIOS, Scenario

PHONES = ["iphone", "iPhone 15", "Samsung S24", "pixel", "new phone", "galaxy", "old handset"]
COUNTRIES = ["Spain", "France", "the US", "Turkey", "Italy", "Greece", "Portugal", "Dubai"]
CITIES = ["Leeds", "Glasgow", "Cardiff", "Bristol", "Manchester", "Brighton", "Norwich"]
NAMES = ["Jordan Ellis", "Megan Shaw", "Ravi Sharma", "Chloe Dunn", "Sam O'Brien", "Nadia Rahman", "Luke Carter"]
INTROS = ["", "", "", "hi, ", "hello, ", "hiya ", "this is {name}, ", "my name is {name} and ", "evening. "]
OUTROS = ["", "", "", " thanks", " please", " ??", " my number is {msisdn}", " email me at {email}"]

# Topics the bot has no flow for: they come back as fallbacks or low-confidence guesses and form themes.
TOPICS: dict[str, list[str]] = {
    "esim": ["how do i set up an esim on my {phone}", "esim qr code won't scan",
             "my {phone} says esim activation failed", "can i move my esim to a {phone}", "esim profile won't download",
             "need an esim instead of a sim card"],
    "wifi_calling": ["wifi calling isn't working on my {phone}", "how do i turn on wifi calling",
                     "calls drop when i'm on wifi calling", "wifi calling greyed out on my {phone}"],
    "roaming": ["how much is roaming in {country}", "will my data work in {country}",
                "charged for roaming in {country} but i had it switched off", "is {country} in the roam free zone",
                "my phone won't connect to any network in {country}"],
    "upgrade": ["when can i upgrade my {phone}", "am i due an upgrade yet", "i want to get the new {phone}",
                "what upgrade deals have you got for me"],
    "switching": ["how do i get my pac code", "need a pac code to leave", "send me a stac code please",
                  "i want to keep my number when i switch"],
    "tv": ["tv box keeps freezing", "the tv box says no signal", "all my tv recordings have disappeared",
           "the remote won't pair with the tv box", "sports channels missing from the tv box"],
    "email": ["can't log into my email account", "how do i set up my email in outlook",
              "my email password stopped working"],
    "contract": ["when does my contract end", "how long is left on my contract", "can i leave my contract early",
                 "what's my early termination fee"],
    "five_g": ["why don't i get 5g in {city}", "is 5g available in {city}", "my {phone} never shows 5g"],
    "data_usage": ["why is my data running out so fast", "how much data have i used this month",
                   "can i add more data to my plan", "my data allowance vanished overnight"],
    "parental": ["how do i set up parental controls", "block adult sites on the router",
                 "turn off the content filter it blocks everything"],
    "wifi_coverage": ["wifi doesn't reach upstairs", "do you sell wifi boosters", "the mesh discs keep disconnecting"],
}  # fmt: skip

OUT_OF_SCOPE = ["what's the weather like in {city}", "can you book me a taxi", "tell me a joke",
                "who won the football last night", "recommend a good pizza place in {city}",
                "what's the capital of australia", "can you help with my car insurance",
                "how do i make a sourdough starter"]  # fmt: skip

# Problems the bot handles, phrased the ways customers do (some plainly, some oddly).
PROBLEMS: dict[str, list[str]] = {
    "broadband": ["my internet is down", "broadband's dead again", "net is crawling like a snail today",
                  "no internet since this morning", "the wifi keeps dropping out"],
    "mobile": ["no signal on my phone", "my mobile has no service", "phone says sos only", "can't make calls"],
    "bill": ["why is my bill so high", "my bill has gone up for no reason", "what is this extra charge",
             "you've overcharged me again"],
    "order": ["where is my order", "my order still hasn't arrived", "what's happening with my order",
              "when will my new service be live"],
    "ticket": ["any update on my fault ticket", "what's happening with my repair",
               "the engineer was meant to fix this by now"],
    "payment": ["my payment didn't go through", "why was my direct debit rejected"],
}  # fmt: skip


# The API each kind of diagnosis needs first: failing it makes the diagnosis meet an OSS/BSS outage.
FAULT_API = {
    "broadband": apis.SERVICE_INVENTORY,
    "mobile": apis.SERVICE_INVENTORY,
    "bill": apis.CUSTOMER_BILL,
    "payment": apis.PAYMENT,
    "order": apis.PRODUCT_ORDER,
    "ticket": apis.TROUBLE_TICKET,
}


def problem_kind(scenario: Scenario) -> str:
    key = scenario.key
    if key.startswith(("order", "activation")):
        return "order"
    if key.startswith("ticket"):
        return "ticket"
    if key.startswith("bill"):
        return "bill"
    if key == "failed_direct_debit":
        return "payment"
    if key.startswith(("mobile", "sim")):
        return "mobile"
    return "broadband"


@dataclass
class Script:
    kind: str
    turns: list[str]
    fault: str | None = None
    """A simulator API to fail (HTTP 503) while this conversation diagnoses."""
    notes: list[str] = field(default_factory=list)


class Templates:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311 (made-up traffic, not secrets)

    def fill(self, text: str) -> str:
        name = self.rng.choice(NAMES)
        values = {"phone": self.rng.choice(PHONES), "country": self.rng.choice(COUNTRIES),
                  "city": self.rng.choice(CITIES), "name": name, "msisdn": f"07700 900{self.rng.randint(100, 999)}",
                  "email": name.lower().replace(" ", ".").replace("'", "") + "@example.com"}  # fmt: skip
        return text.format(**values)

    def utterance(self, core: str) -> str:
        """``core`` with a greeting or sign-off, sometimes personal data (which the store must redact)."""
        text = self.fill(self.rng.choice(INTROS) + core + self.rng.choice(OUTROS))
        if self.rng.random() < 0.1:
            text = text.upper()
        return text

    def topic(self) -> Script:
        name = self.rng.choice(sorted(TOPICS))
        first = self.utterance(self.rng.choice(TOPICS[name]))
        turns = [first]
        if self.rng.random() < 0.5:
            turns.append(self.fill(self.rng.choice(TOPICS[name])))
        return Script(f"topic:{name}", turns)

    def out_of_scope(self) -> Script:
        return Script("out_of_scope", [self.fill(self.rng.choice(OUT_OF_SCOPE))])

    def triage(self, *, abandon: bool = False, wrong_postcode: bool = False, fault: bool = False) -> Script:
        scenario = self.rng.choice(SCENARIOS)
        kind = problem_kind(scenario)
        turns = [self.utterance(self.rng.choice(PROBLEMS[kind]))]
        if abandon:
            return Script(f"abandoned:{kind}", turns + ([scenario.account_id] if self.rng.random() < 0.5 else []))
        ref = scenario.account_id if self.rng.random() < 0.6 else scenario.mobile
        turns.append(self.rng.choice(["it's {}", "{}", "account is {}", "sure, {}"]).format(ref))
        if wrong_postcode:
            return Script(f"verification_failed:{kind}", [*turns, "ZZ1 1ZZ", "XX9 9XX", "QQ1 1QQ"])
        turns.append(scenario.postcode if self.rng.random() < 0.7 else scenario.postcode.lower().replace(" ", ""))
        turns.append(self.rng.choice(["no", "didn't help", "yes", "still broken", "ok thanks"]))
        if fault:
            return Script(f"oss_failure:{scenario.key}", turns, FAULT_API[kind])
        return Script(f"triage:{scenario.key}", turns)

    def human(self) -> Script:
        opener = self.utterance(self.rng.choice(PROBLEMS[self.rng.choice(sorted(PROBLEMS))]))
        return Script("asked_for_person", [opener, self.rng.choice(["let me talk to a person", "agent please",
                                                                     "i want a human"])])  # fmt: skip

    def mix(self, count: int) -> list[Script]:
        """``count`` varied conversations; OSS/BSS failures come last (they need the simulator to themselves)."""
        makers: list[tuple[float, Callable[[], Script]]] = [
            (0.38, self.topic),
            (0.12, self.out_of_scope),
            (0.22, self.triage),
            (0.1, lambda: self.triage(abandon=True)),
            (0.06, lambda: self.triage(wrong_postcode=True)),
            (0.07, self.human),
        ]
        scripts = []
        for _ in range(count - max(1, count // 25)):
            roll, total = self.rng.random(), 0.0
            for share, make in makers:
                total += share
                if roll < total:
                    scripts.append(make())
                    break
            else:
                scripts.append(self.topic())
        scripts += [self.triage(fault=True) for _ in range(max(1, count // 25))]
        return scripts
