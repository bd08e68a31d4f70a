"""Given names and surnames customers may have, from Faker's person providers (MIT-licensed, maintained, drawn
from national name statistics), lower-cased; and the everyday words that are also names.

The lists let names be told without capitals ("i'm priya sharma"). A word that is also an everyday word
("will", "bill", "grace", "sky", "green") counts as a name only where its capital or the phrasing says so.
"""

from __future__ import annotations

import importlib
import re
from functools import lru_cache

NAME_LOCALES = ("en_GB", "en_IE", "en_US", "en_IN", "en_PK", "en_NG", "en_KE", "en_NZ", "hi_IN", "fr_FR",
                "es_ES", "it_IT", "pt_PT", "pl_PL", "de_DE", "nl_NL", "ro_RO", "tr_TR")  # fmt: skip
"""Latin-script locales of the people a UK, Irish or US operator serves (their scripts' names are spelled so)."""
_PLAIN_NAME = re.compile(r"[a-z][a-z'\-]+")

_EVERYDAY_WORDS_LISTED = {
    "add", "ah", "alexa", "amber", "america", "april", "arizona", "art", "august", "autumn", "babe", "baby",
    "baker", "bal", "banks", "bath", "bell", "berlin", "best", "bill", "bins", "bird", "birmingham", "bishop",
    "black", "block", "bob", "bones", "bose", "boss", "boston", "bradford", "brick", "bristol", "brown", "buddy",
    "burns", "bush", "butler", "canal", "cant", "cap", "carolina", "carry", "case", "cases", "cash", "chance",
    "chase", "cheers", "chester", "christian", "clear", "cliff", "close", "company", "con", "cook", "council",
    "cross", "crystal", "curry", "daisy", "dash", "date", "dawn", "day", "dean", "deep", "destiny", "doctor", "don",
    "duke", "earl", "early", "else", "ember", "english", "esta", "eta", "ever", "fair", "faith", "fall", "fed",
    "fee", "field", "fisher", "florida", "foot", "ford", "fox", "frank", "french", "friday", "friend", "gene",
    "general", "georgia", "glad", "gold", "good", "grace", "green", "grove", "guy", "hall", "hand", "handy",
    "happy", "heather", "hello", "hey", "hi", "hill", "hold", "holder", "holly", "honey", "hook", "hoover", "hope",
    "house", "hung", "hunter", "india", "ireland", "iris", "isa", "ivy", "jack", "jade", "jan", "january", "job",
    "joy", "july", "june", "just", "kent", "kick", "king", "lad", "lady", "lamb", "lane", "less", "lily", "link",
    "little", "london", "long", "lord", "lot", "love", "low", "loyal", "lucky", "mac", "mad", "major", "mall",
    "man", "mar", "march", "mark", "marvel", "mason", "mate", "max", "may", "media", "miles", "miller",
    "misty", "monday", "moon", "more", "moss", "mountain", "nada", "nan", "noone", "north", "okey", "orange",
    "pace", "page", "pages", "pal", "paris", "park", "pat", "patience", "peace", "pearl", "penny", "poland", "pop",
    "poppy", "porter", "post", "power", "price", "prince", "rain", "ray", "read", "reader", "real", "reason", "red",
    "rice", "rich", "riddle", "ring", "river", "rob", "roll", "roman", "rome", "room", "rose", "royal", "ruby",
    "rush", "said", "sales", "salmon", "sang", "saturday", "sep", "server", "seven", "shade", "sharp", "short",
    "silver", "sim", "sims", "sing", "sister", "skip", "sky", "small", "smart", "snow", "son", "spain", "spring",
    "star", "steer", "sterling", "stone", "storm", "story", "street", "sue", "summer", "sunday", "sunny", "swift",
    "tab", "tea", "telly", "thanks", "theres", "thursday", "till", "tiny", "too", "true", "tuesday", "ty",
    "unknown", "us", "van", "virginia", "walker", "wall", "walls", "ward", "way", "wednesday", "weeks", "were",
    "west", "white", "will", "windy", "winter", "wolf", "wood", "worth", "york", "young"
}  # fmt: skip
EVERYDAY_WORDS = frozenset(_EVERYDAY_WORDS_LISTED)
"""Words of everyday English (and of this bot's customers) that name lists also hold."""


def _provider_names(attribute_prefix: str) -> set[str]:
    names: set[str] = set()
    for locale in NAME_LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for attribute in dir(provider):
            if attribute.startswith(attribute_prefix):
                value = getattr(provider, attribute)
                if isinstance(value, (tuple, list, dict)):
                    names.update(str(name).lower() for name in value)
    return {name for name in names if _PLAIN_NAME.fullmatch(name)}


@lru_cache(maxsize=1)
def all_given_names() -> frozenset[str]:
    """Every given name, everyday words included ("grace", "jack", "will")."""
    return frozenset(_provider_names("first_names"))


@lru_cache(maxsize=1)
def given_names() -> frozenset[str]:
    return all_given_names() - EVERYDAY_WORDS


@lru_cache(maxsize=1)
def surnames() -> frozenset[str]:
    return frozenset(_provider_names("last_names") - EVERYDAY_WORDS)
