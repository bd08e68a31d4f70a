"""OSS/BSS access over TM Forum Open APIs: the async client, its configuration, results and errors."""

from core.oss.billdiff import BillChange, BillComparison, compare_bills
from core.oss.client import LINE_TEST, REGISTRATION_CHECK, OssClient
from core.oss.config import OssConfig
from core.oss.errors import OssError, OssNotFound, OssRejected, OssUnavailable
from core.oss.journal import CallRecord, Journal

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
