"""The insights JSON API (``/api/insights/*``): product owners and admins only.

Volume over time, records, themes with drill-down, the backlog, exports (streamed), the outcomes' figures and
deletion on request. Agents and supervisors may only post their dispositions (``POST /api/learning/dispositions``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.auth import Role, User
from bot.dependencies import require_roles
from bot.handoff.holders import last_holder
from bot.insights import backlog, candidates, exports, theme_model
from bot.insights.conversations import CONVERSATION_ID, DispositionIn, conversation_detail, record_disposition
from bot.insights.filters import FiltersDep, iso
from bot.insights.outcome_report import build_report
from bot.insights.query import select, volume
from bot.insights.state import InsightsState, get_insights
from bot.insights.themes import THEME_ID, mine, public, theme_by_id
from core.errors import Forbidden, Invalid, NotFound
from core.unicode_text import scrub
from learning.maintenance import delete_conversations, delete_customer

router = APIRouter(prefix="/api/insights", tags=["insights"])
dispositions = APIRouter(prefix="/api/learning", tags=["insights"])

ProductOwner = Annotated[User, Depends(require_roles(Role.product_owner))]
Agent = Annotated[User, Depends(require_roles(Role.agent, Role.supervisor))]
State = Annotated[InsightsState, Depends(get_insights)]
ThemeId = Annotated[str, Path(pattern=THEME_ID)]
ConversationId = Annotated[str, Path(pattern=CONVERSATION_ID)]
RECORD_ID = r"^\d{1,20}-\d{1,20}$"
BacklogId = Annotated[str, Path(pattern=r"^BL-\d{1,9}$")]
MAX_PAGE = 500


@router.get("/volume")
async def get_volume(
    _: ProductOwner, state: State, filters: FiltersDep, bucket: Literal["hour", "day", "week"] | None = None
) -> dict[str, Any]:
    """Unresolved records per time bucket and trigger, for the chart."""
    return (await volume(state.store, filters, bucket)).as_dict()


@router.get("/records")
async def get_records(
    _: ProductOwner,
    state: State,
    filters: FiltersDep,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    after: Annotated[str | None, Query(pattern=RECORD_ID, description="'next' of the previous page")] = None,
) -> dict[str, Any]:
    page: list[dict[str, Any]] = []
    cursor = tuple(int(part) for part in after.split("-")) if after else None
    async for record_id, record in select(state.store, filters):
        if cursor and tuple(int(part) for part in record_id.split("-")) <= cursor:
            continue
        if len(page) == page_size:
            return {"v": 1, "records": page, "next": page[-1]["id"]}
        page.append({"id": record_id, "time": iso(float(record["at"])), **record})
    return {"v": 1, "records": page, "next": None}


@router.get("/themes")
async def get_themes(_: ProductOwner, state: State, filters: FiltersDep) -> dict[str, Any]:
    """Themes with at least k distinct customers; smaller ones are only counted under ``hidden``."""
    run = await mine(state, filters)
    return {**{k: v for k, v in run.items() if k != "themes"}, "themes": [public(t) for t in run["themes"]]}


@router.post("/themes/refresh")
async def refresh_themes(_: ProductOwner, state: State, filters: FiltersDep) -> dict[str, Any]:
    """Forget the kept themes and mine the window's records afresh (new theme ids)."""
    await theme_model.forget(state.store.redis)
    run = await mine(state, filters)
    return {**{k: v for k, v in run.items() if k != "themes"}, "themes": [public(t) for t in run["themes"]]}


@router.get("/themes/{theme_id}")
async def get_theme(_: ProductOwner, state: State, theme_id: ThemeId, filters: FiltersDep) -> dict[str, Any]:
    """A theme (stable id) as the window shows it (default: the last 30 days)."""
    theme = await theme_by_id(state, theme_id, filters)
    conversations = sorted({m["conversation_id"] for m in theme["members"]})
    return {"v": 1, **public(theme), "conversation_ids": conversations}


@router.get("/themes/{theme_id}/conversations")
async def get_theme_conversations(
    _: ProductOwner,
    state: State,
    theme_id: ThemeId,
    filters: FiltersDep,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=50)] = 10,
) -> dict[str, Any]:
    """Drill-down: the theme's conversations with their redacted transcripts, predictions and lookups."""
    theme = await theme_by_id(state, theme_id, filters)
    ids = sorted({m["conversation_id"] for m in theme["members"]})
    chosen = ids[(page - 1) * page_size : page * page_size]
    details = [await conversation_detail(state.store, cid) for cid in chosen]
    return {"v": 1, "theme": theme["label"], "total": len(ids), "page": page,
            "conversations": [d for d in details if d]}  # fmt: skip


@router.get("/conversations/{conversation_id}")
async def get_conversation(_: ProductOwner, state: State, conversation_id: ConversationId) -> dict[str, Any]:
    detail = await conversation_detail(state.store, conversation_id)
    if detail is None:
        raise NotFound("conversation_not_found", "The learning store has no such conversation.")
    return detail


@router.delete("/conversations/{conversation_id}")
async def delete_conversation(_: ProductOwner, state: State, conversation_id: ConversationId) -> dict[str, Any]:
    deleted = await delete_conversations(state.store, [conversation_id])
    return {"v": 1, "deleted": {"conversations": deleted.conversations, "records": deleted.records,
                                "answers": deleted.answers}}  # fmt: skip


class CustomerDeletionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_ref: str = Field(..., min_length=3, max_length=64, description="Customer id, account or phone number.")

    @field_validator("customer_ref", mode="before")
    @classmethod
    def _storable(cls, value: object) -> object:
        """Before pydantic's own string check, which refuses a lone surrogate in words nobody understands."""
        if isinstance(value, str) and scrub(value) != value:
            raise ValueError("the reference holds a broken character (a lone surrogate)")
        return value


@router.post("/deletions")
async def delete_customer_records(_: ProductOwner, state: State, body: CustomerDeletionIn) -> dict[str, Any]:
    """Delete every record of a customer on request (right to erasure)."""
    deleted = await delete_customer(state.store, state.secret, body.customer_ref)
    return {"v": 1, "deleted": {"conversations": deleted.conversations, "records": deleted.records,
                                "answers": deleted.answers}}  # fmt: skip


@router.get("/outcomes")
async def get_outcomes(_: ProductOwner, state: State, filters: FiltersDep) -> dict[str, Any]:
    """Denominators (conversations, resolved, repeat contacts, contained, handed over, ...), per-flow funnels,
    the agents' dispositions and figures per model version, for the window and the flow and channel filters."""
    return (await build_report(state, filters)).as_dict()


@router.get("/backlog")
async def get_backlog(_: ProductOwner, state: State) -> dict[str, Any]:
    return {"v": 1, "items": await backlog.list_items(state)}


@router.post("/backlog", status_code=201)
async def promote_theme(user: ProductOwner, state: State, body: backlog.PromoteIn) -> dict[str, Any]:
    theme = await theme_by_id(state, body.theme_id)
    return await backlog.promote(state, theme, body, user.name)


@router.post("/backlog/watch")
async def watch_backlog(_: ProductOwner, state: State) -> dict[str, Any]:
    """Re-check fixed items now (also run by ``python -m tools.insights watch``)."""
    return {"v": 1, "reopened": await backlog.watch(state)}


@router.get("/backlog/{item_id}")
async def get_backlog_item(_: ProductOwner, state: State, item_id: BacklogId) -> Any:
    return await backlog.get_item(state, item_id)


@router.patch("/backlog/{item_id}")
async def update_backlog_item(
    user: ProductOwner, state: State, item_id: BacklogId, body: backlog.UpdateIn
) -> dict[str, Any]:
    return await backlog.update(state, item_id, body, user.name)


async def _stream(chunks: AsyncIterator[str], media_type: str, filename: str) -> StreamingResponse:
    """Read the first chunk before answering: what fails there (filters, the first query) is still a clear
    error response; once the 200 is sent, a failure can only cut the body short."""
    first = await anext(chunks, "")
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return StreamingResponse(_utf8(first, chunks), media_type=media_type, headers=headers)


async def _utf8(first: str, rest: AsyncIterator[str]) -> AsyncIterator[bytes]:
    """Chunks as UTF-8; a lone surrogate (which strict encoding refuses mid-stream) becomes '?'."""
    yield first.encode("utf-8", "replace")
    async for chunk in rest:
        yield chunk.encode("utf-8", "replace")


@router.get("/export/records.{kind}")
async def export_records(
    _: ProductOwner, state: State, filters: FiltersDep, kind: Annotated[str, Path(pattern="^(csv|json)$")]
) -> StreamingResponse:
    if kind == "csv":
        return await _stream(exports.records_csv(state.store, filters), "text/csv; charset=utf-8", "records.csv")
    return await _stream(exports.records_json(state.store, filters), "application/json", "records.json")


@router.get("/export/themes.{kind}")
async def export_themes(
    _: ProductOwner, state: State, filters: FiltersDep, kind: Annotated[str, Path(pattern="^(csv|json)$")]
) -> StreamingResponse:
    run = await mine(state, filters)
    if kind == "csv":
        return await _stream(exports.themes_csv(run), "text/csv; charset=utf-8", "themes.csv")
    return await _stream(exports.themes_json(run), "application/json", "themes.json")


@router.get("/export/nlu.yml")
async def export_nlu(
    _: ProductOwner,
    state: State,
    filters: FiltersDep,
    theme: Annotated[list[Annotated[str, Field(pattern=THEME_ID)]] | None, Query()] = None,
    record: Annotated[list[Annotated[str, Field(pattern=RECORD_ID)]] | None, Query()] = None,
) -> StreamingResponse:
    """Selected utterances (whole themes and/or single records of the window's themes) as Rasa NLU training
    candidates: an existing intent only when close enough, else a proposed new intent per theme."""
    if not theme and not record:
        raise Invalid("nothing_selected", "Select utterances with 'theme' and/or 'record' parameters.")
    run = await mine(state, filters)
    wanted_themes, wanted_records = set(theme or []), set(record or [])
    unknown = wanted_themes - {t["id"] for t in run["themes"]}
    if unknown:
        raise NotFound("theme_not_found", f"No theme {sorted(unknown)[0]} shown in this window.")
    chosen = [
        candidates.candidate(member, found)
        for found in run["themes"]
        for member in found["members"]
        if found["id"] in wanted_themes or member["record_id"] in wanted_records
    ]
    return await _stream(candidates.nlu_yaml(chosen), "application/x-yaml", "nlu_candidates.yml")


@dispositions.post("/dispositions", status_code=201)
async def post_disposition(user: Agent, state: State, body: DispositionIn) -> dict[str, Any]:
    """The agent's disposition after a handoff, attached to the conversation's records: by the agent who held the
    chat, or a supervisor."""
    if not user.has_role(Role.supervisor) and await last_holder(state.store.redis, body.conversation_id) != user.name:
        message = "Only the agent who held this conversation's chat, or a supervisor, may record its disposition."
        raise Forbidden("not_your_case", message)
    return await record_disposition(state.store, body, user.name)
