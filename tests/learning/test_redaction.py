"""Personal data of every type disappears behind its typed placeholder; ordinary words survive untouched."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from learning import keys
from learning.redaction import Redactor
from learning.redaction.identifiers import iban_spans, ip_spans
from learning.redaction.names import NameFinder
from learning.redaction.patterns import classify_digits, luhn_valid
from learning.redaction.phones import spoken_spans
from tests.learning import rasa_events as ev
from tests.learning.conftest import Pipeline

# (placeholder, text, the personal data that must disappear)
PII = [
    ("PHONE", "call me on 07700 900123 please", "07700 900123"),
    ("PHONE", "my mobile is 07700900123", "07700900123"),
    ("PHONE", "ring +44 7700 900 123 after six", "+44 7700 900 123"),
    ("PHONE", "number is +44 (0)20 7946 0018", "7946 0018"),
    ("PHONE", "it's 0044 7700 900123", "0044 7700 900123"),
    ("PHONE", "msisdn 447700900123 is barred", "447700900123"),
    ("PHONE", "landline 020 7946 0018 has no dial tone", "020 7946 0018"),
    ("PHONE", "my US number +1 415 555 0132", "415 555 0132"),
    ("PHONE", "text 07700-900-123", "07700-900-123"),
    ("EMAIL", "email me at aisha.khan@example.co.uk", "aisha.khan@example.co.uk"),
    ("EMAIL", "it's tom_b+bills@mail.example.com", "tom_b+bills@mail.example.com"),
    ("EMAIL", "write to tom dot bradley at gmail dot com", "bradley at gmail"),
    ("ACCOUNT", "account AC10000017 please", "AC10000017"),
    ("ACCOUNT", "it's ac 1000 0017", "1000 0017"),
    ("ACCOUNT", "ref: ac-10000017", "10000017"),
    ("CARD", "card 4111 1111 1111 1111 was declined", "4111 1111 1111 1111"),
    ("CARD", "paid with 5555555555554444", "5555555555554444"),
    ("CARD", "amex 3782 822463 10005", "3782 822463 10005"),
    ("IMEI", "imei 356938035643809 is blocked", "356938035643809"),
    ("IMEI", "the phone's number 35-209900-176148-1", "176148"),
    ("IMSI", "my IMSI is 234150999999999", "234150999999999"),
    ("ICCID", "sim card 8944110068256270054 not working", "8944110068256270054"),
    ("ICCID", "iccid 89441000301234567890", "89441000301234567890"),
    ("POSTCODE", "no signal at SW1A 1AA", "SW1A 1AA"),
    ("POSTCODE", "postcode is m11ae", "m11ae"),
    ("POSTCODE", "I'm in EC1A 1BB", "EC1A 1BB"),
    ("ADDRESS", "I live at 14 Baker Street", "14 Baker Street"),
    ("ADDRESS", "deliver to flat 3, 221b baker st", "221b baker"),
    ("ADDRESS", "engineer came to 7 Church Lane yesterday", "7 Church Lane"),
    ("NAME", "my name is tom bradley", "tom bradley"),
    ("NAME", "Hi, this is Priya Patel, the wifi is off", "Priya Patel"),
    ("NAME", "I'm Aisha and nothing works", "Aisha"),
    ("NAME", "can I speak to Mr Patel", "Patel"),
    ("NAME", "Sarah Jones said my bill was wrong", "Sarah Jones"),
    ("NAME", "regards, Oliver Hughes", "Oliver Hughes"),
    ("NAME", "THIS IS MEGAN SHAW, MY BILL HAS GONE UP", "MEGAN SHAW"),
    ("NAME", "MY NAME IS RAVI SHARMA AND NOTHING WORKS", "RAVI SHARMA"),
    ("DOB", "my date of birth is 12/03/1985", "12/03/1985"),
    ("DOB", "born on 3 March 1985", "3 March 1985"),
    ("DOB", "DOB: 1985-03-12", "1985-03-12"),
    ("DOB", "security answer 14.07.1979", "14.07.1979"),
    ("NUMBER", "sort code 12-34-56 account 31926819", "31926819"),
    ("NAME", "hiya, it's jessica, my wifi keeps cutting out", "jessica"),
    ("NAME", "my name's liam o'connor and i want to cancel", "liam o'connor"),
    ("NAME", "sarah from your billing team promised a refund", "sarah"),
    ("NAME", "the engineer, gary, never came", "gary"),
    ("NAME", "my husband gareth set it up", "gareth"),
    ("NAME", "thanks jack", "jack"),
    ("NAME", "mohammed ali here, no signal", "mohammed ali"),
    ("PHONE", "call me on zero two zero, seven nine four six, double oh one eight", "seven nine four six"),
    ("PHONE", "ring me on 0 7 7 0 0 9 0 0 1 2 3", "0 7 7 0 0 9 0 0 1 2 3"),
    ("PHONE", "my irish number is +353 85 123 4567", "123 4567"),
    ("PHONE", "number is 07911 double one two three four five", "double one two three"),
    ("IBAN", "my iban is FR14 2004 1010 0505 0001 3M02 606", "3M02 606"),
    ("IBAN", "IBAN: nl91abna0417164300 thanks", "nl91abna0417164300"),
    ("NINO", "ni no is AB123456C", "AB123456C"),
    ("NINO", "national insurance: ce 12 34 56 a", "ce 12 34 56 a"),
    ("MAC", "mac 3c:22:fb:12:ab:cd", "3c:22:fb:12:ab:cd"),
    ("MAC", "my router mac address is 3C22FB12ABCD", "3C22FB12ABCD"),
    ("IP", "my public ip is 86.12.45.200", "86.12.45.200"),
    ("IP", "ip address 2001:db8:85a3::8a2e:370:7334 keeps changing", "2001:db8:85a3::8a2e:370:7334"),
    ("PASSWORD", "password: Tr0ub4dor&3", "Tr0ub4dor&3"),
    ("PASSWORD", "my wifi password is 'letmein99'", "letmein99"),
    ("USERNAME", "user name is bigdave1970", "bigdave1970"),
    ("USERNAME", "my login id is s.jones@work", "s.jones@work"),
    ("PIN", "pin code 9930 won't work", "9930"),
    ("CVV", "cvc 789", "789"),
    ("EXPIRY", "card expires 12/25", "12/25"),
    ("EXPIRY", "the expiry date is 03/2027", "03/2027"),
    ("POSTCODE", "my address is 1600 Pennsylvania Ave NW, Washington, DC 20500", "20500"),
    ("POSTCODE", "zip code 90210", "90210"),
    ("POSTCODE", "ship to 500 Oak St, Chicago, Illinois 60601", "60601"),
    ("PASSWORD", "my memorable word is fluffy", "fluffy"),
    ("PASSWORD", "mother's maiden name is hargreaves", "hargreaves"),
    ("CVV", "the last three digits on the back are 123", "123"),
    ("IP", "the laptop's ip is 192.168.1.45", "192.168.1.45"),
    ("PASSWORD", "the answer to my security question is, my favourite colour is teal", "colour is teal"),
    ("NAME", "a claim for my daughter, melody smith.", "melody smith"),
]

ORDINARY = [
    "my broadband keeps dropping every evening",
    "why is my bill £30 higher this month",
    "the router has a red light and 3 bars",
    "I was promised 50 Mbps but get 12",
    "it took 45 minutes walk to the shop by the way",
    "I'm annoyed, 3 days without internet",
    "the engineer didn't turn up on Monday",
    "can I upgrade to 5G and get 100GB of data",
    "Sky TV box keeps freezing",
    "I paid on 12/10/2025 and it still says overdue",
    "my name is on the account",
    "this is ridiculous, cancel my contract",
    "roaming in Spain charged me 19.99",
    "the wifi drops in 2 rooms",
    "MY BROADBAND HAS BEEN DOWN ALL DAY",
    "please call me back after 5pm",
    "i'm in london this week",
    "its sky that's the problem",
    "i switched from virgin last year",
    "i'm with three",
    "it's may and still no fix",
    "will someone ring me today",
    "can i speak to a manager",
    "dear sir or madam",
    "my password is wrong",
    "the security code never arrives",
    "router admin page 192.168.0.1 won't load",
    "firmware 7.2.1.0 broke the hub",
    "I want to switch to Sky Broadband Superfast",
    "i'm on the Essential Fibre 500 package",
    "the EE network is down in Bristol",
    "outage reported on 14 November 2025 at 9am",
    "speed dropped from 500Mbps to 20Mbps",
    "one two three, testing",
]


@pytest.mark.parametrize(("label", "text", "secret"), PII, ids=[f"{p[0]}:{p[2]}" for p in PII])
def test_personal_data_is_replaced_by_its_typed_placeholder(
    redactor: Redactor, label: str, text: str, secret: str
) -> None:
    redacted = redactor.redact(text)
    assert secret.lower() not in redacted.lower()
    assert f"<{label}>" in redacted, redacted


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_words_survive(redactor: Redactor, text: str) -> None:
    assert redactor.redact(text) == text


def test_redacting_twice_changes_nothing(redactor: Redactor) -> None:
    once = redactor.redact("Aisha Khan, 14 Baker Street, SW1A 1AA, 07700 900123")
    assert redactor.redact(once) == once
    assert once == "<NAME>, <ADDRESS>, <POSTCODE>, <PHONE>"


def test_luhn_and_digit_classes() -> None:
    assert luhn_valid("4111111111111111") and not luhn_valid("4111111111111112")
    assert classify_digits("356938035643809", "") == "IMEI"
    assert classify_digits("234150999999999", "") == "IMSI"
    assert classify_digits("234150999999999", "my imei ") == "IMEI", "the words before decide"
    assert classify_digits("12345", "") is None


def test_an_iban_ends_where_its_check_digits_say() -> None:
    text = "refund GB82 WEST 1234 5698 7654 32 Tuesday"
    [span] = iban_spans(text)
    assert text[span.start : span.end] == "GB82 WEST 1234 5698 7654 32"
    assert list(iban_spans("GB82 WEST 1234 5698 7654 33")) == [], "a wrong check digit is no IBAN"


def test_spoken_digits_count_doubles_and_hundreds() -> None:
    text = "text me on seven seven double zero, nine hundred, three two one"
    [span] = spoken_spans(text)
    assert text[span.start : span.end] == "seven seven double zero, nine hundred, three two one"
    assert list(spoken_spans("three calls and two hours, one two three four")) == [], "too short for a phone"


def test_a_spoken_run_stops_at_the_end_of_a_sentence(redactor: Redactor) -> None:
    assert redactor.redact("my number is 07700 900123. Oh, and yes") == "my number is <PHONE>. Oh, and yes"


def test_router_and_resolver_addresses_are_no_ones() -> None:
    assert list(ip_spans("set 192.168.1.254 and dns 1.1.1.1 on 10.0.0.138, then 127.0.0.1")) == []
    assert [s.label for s in ip_spans("the printer is 192.168.1.37")] == ["IP"], "a device of one home"
    assert [s.label for s in ip_spans("blocked 81.2.69.160 and fe80::1ff:fe23:4567:890a")] == ["IP", "IP"]


def test_without_spacy_lower_case_names_are_still_found() -> None:
    """The lists and phrasings alone (the tools that run without the pipeline) catch names typed in lower case."""
    finder = Redactor(NameFinder(None))
    assert finder.redact("hi i'm priya sharma") == "hi i'm <NAME>"
    assert finder.redact("speak to kevin please") == "speak to <NAME> please"
    assert finder.redact("thanks will, the bill is fine") == "thanks will, the bill is fine"


async def test_once_consumed_no_raw_text_is_left_anywhere_in_redis(pipeline: Pipeline, redis: Redis[bytes]) -> None:
    """The engine forwards raw text; the consumer redacts it before storing anything and deletes what it read."""
    texts = [text for _, text, _ in PII]
    events = [*ev.start("c-pii", 1_750_000_000)]
    events += [ev.user("c-pii", text, "nlu_fallback", 0.5) for text in texts]
    events += [ev.bot("c-pii", "Thanks Aisha, I found order ORD-100017 for 14 Baker Street")]
    events += [ev.slot("c-pii", "findings", {"oss_error": "customerManagement.find: 07700 900123 rejected"})]
    events += ev.identified("c-pii")
    await pipeline.feed(events)
    assert await redis.xlen(keys.EVENTS) == 0, "the raw summaries are deleted once processed"
    stored = b""
    async for key in redis.scan_iter(match="triage:*", count=1000):
        kind = await redis.type(key)
        if kind == b"stream":
            stored += b"".join(str(entry).encode() for entry in await redis.xrange(key))
        elif kind == b"list":
            stored += b"".join(await redis.lrange(key, 0, -1))
        elif kind == b"hash":
            stored += b"".join(v for v in (await redis.hgetall(key)).values())
        elif kind == b"string":
            stored += await redis.get(key) or b""
    text = stored.decode(errors="replace").lower()
    assert "nlu_fallback" in text
    for _, _, secret in PII:
        if not (secret.isdigit() and len(secret) < 6):  # three or four digits occur by chance in stored hex ids
            assert secret.lower() not in text, secret
    for secret in ("aisha", "baker street", "cust-000017", "ac10000017", "isla robinson"):
        assert secret not in text, secret
