"""Identifiers with a published structure, checked by maintained validators rather than by shape alone.

IBANs (any country, with or without spaces) are confirmed by ``stdnum.iban`` (country format and mod-97
check), MAC addresses by ``stdnum.mac``, IP addresses by :mod:`ipaddress`. UK National Insurance numbers have
no check digit and no validator in python-stdnum, so HMRC's allocation rules for the two prefix letters decide.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator

from stdnum import iban, mac

from learning.redaction.spans import Span

_IBAN = re.compile(r"\b[A-Za-z]{2}\d{2}(?:[ ]?[A-Za-z0-9]){11,30}\b")
# HMRC: first letter not D F I Q U V; second not D F I O Q U V; BG GB KN NK NT TN ZZ never issued.
_NINO = re.compile(
    r"\b(?!(?:BG|GB|KN|NK|NT|TN|ZZ))[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z][ ]?\d{2}[ ]?\d{2}[ ]?\d{2}[ ]?[A-D]\b",
    re.IGNORECASE,
)
_MAC = re.compile(
    r"(?<![0-9A-Fa-f:.\-])(?:[0-9A-Fa-f]{2}([:\-])(?:[0-9A-Fa-f]{2}\1){4}[0-9A-Fa-f]{2}"
    r"|[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4})(?![0-9A-Fa-f:.\-]*[0-9A-Fa-f])"
)
_MAC_BARE = re.compile(r"\bmac(?:\s+address)?\s*(?:is|:)?\s*([0-9A-Fa-f]{12})\b", re.IGNORECASE)
_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.]*\d)")
_IPV6 = re.compile(r"(?<![0-9A-Za-z:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![0-9A-Za-z:])")
_VERSION_BEFORE = re.compile(r"(?:firmware|version|ver|release|build|v)\.?\s*$", re.IGNORECASE)

LOOPBACK_AND_UNSPECIFIED = tuple(
    ipaddress.ip_network(n) for n in ("127.0.0.0/8", "0.0.0.0/32", "255.255.255.255/32", "::1/128", "::/128")
)
HOME_NETWORKS = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
ROUTER_HOSTS = frozenset({1, 254, 138})
"""Last parts of the addresses routers answer on at home (``192.168.1.1``, ``.254``; ``10.0.0.138``): the same in
millions of homes, so they identify nobody, and "I can't open 192.168.1.1" is what product owners need to read.
A device's own address in a home network (``192.168.1.45``) goes with the public ones: it helps no theme."""
PUBLIC_RESOLVERS = frozenset({"8.8.8.8", "8.8.4.4", "1.1.1.1", "1.0.0.1", "9.9.9.9", "208.67.222.222"})
"""Public DNS resolvers customers set by hand: services, not people."""


def iban_spans(text: str) -> Iterator[Span]:
    """The longest valid IBAN starting at each candidate (the regex may take a following word's letters)."""
    for match in _IBAN.finditer(text):
        candidate = match.group(0)
        for end in range(len(candidate), 14, -1):
            at_word_end = candidate[end - 1] != " " and (end == len(candidate) or candidate[end] == " ")
            if at_word_end and iban.is_valid(candidate[:end]):
                yield Span(match.start(), match.start() + end, "IBAN")
                break


def nino_spans(text: str) -> Iterator[Span]:
    for match in _NINO.finditer(text):
        yield Span(match.start(), match.end(), "NINO")


def mac_spans(text: str) -> Iterator[Span]:
    for match in _MAC.finditer(text):
        hexdigits = re.sub(r"[^0-9A-Fa-f]", "", match.group(0))
        # The maker's registration is not asked for: an unregistered or random address is a device's all the same.
        if mac.is_valid(":".join(hexdigits[i : i + 2] for i in range(0, 12, 2)), validate_manufacturer=False):
            yield Span(match.start(), match.end(), "MAC")
    for match in _MAC_BARE.finditer(text):
        yield Span(match.start(1), match.end(1), "MAC")


def _shared(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if str(address) in PUBLIC_RESOLVERS or any(address in net for net in LOOPBACK_AND_UNSPECIFIED):
        return True
    home = isinstance(address, ipaddress.IPv4Address) and any(address in net for net in HOME_NETWORKS)
    return home and int(address) % 256 in ROUTER_HOSTS


def ip_spans(text: str) -> Iterator[Span]:
    """Public IPv4 and IPv6 addresses; version numbers ("firmware 7.2.1.0") and shared addresses stay."""
    for pattern in (_IPV4, _IPV6):
        for match in pattern.finditer(text):
            if pattern is _IPV6 and match.group(0).count(":") < 2:
                continue
            try:
                address = ipaddress.ip_address(match.group(0))
            except ValueError:
                continue
            if _shared(address) or _VERSION_BEFORE.search(text[max(0, match.start() - 12) : match.start()]):
                continue
            yield Span(match.start(), match.end(), "IP")
