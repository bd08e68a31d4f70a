"""How the gateway's Redis clients ride out a Redis restart.

After a restart every pooled connection is stale, and without a retry the first command on each one fails, so a
customer's message would be refused once per connection. A few quick retries on a fresh connection hide that.
Only a refused or dropped connection is named here (a command that timed out may have run, and with timeouts
named the gateway's delivery loop stopped retrying Rasa in tests/gateway). Commands that fail on a dead
connection were not executed, and the writes that matter (case transitions, chat history) are Lua scripts or
keyed to be idempotent, so a retry cannot apply them twice.
"""

from __future__ import annotations

from typing import Any

from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import BusyLoadingError, ConnectionError

RECONNECTING: dict[str, Any] = {
    "retry": Retry(ExponentialBackoff(cap=1.0, base=0.05), 3),
    "retry_on_error": [ConnectionError, BusyLoadingError],
}
