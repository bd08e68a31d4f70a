"""OSS/BSS access over TM Forum Open APIs: the async client, its configuration, results and errors."""

from actions.oss.billdiff import BillChange, BillComparison, compare_bills
from actions.oss.client import LINE_TEST, REGISTRATION_CHECK, OssClient
from actions.oss.config import OssConfig
from actions.oss.errors import OssError, OssNotFound, OssRejected, OssUnavailable
from actions.oss.journal import CallRecord, Journal

__all__ = [
    "LINE_TEST",
    "REGISTRATION_CHECK",
    "BillChange",
    "BillComparison",
    "CallRecord",
    "Journal",
    "OssClient",
    "OssConfig",
    "OssError",
    "OssNotFound",
    "OssRejected",
    "OssUnavailable",
    "compare_bills",
]
