"""The review inbox (editors and admins): the shoppers' messages the bot was unsure about,
grouped, each group labelled in one click; undo; export of the labels as training data.

The engine is ``shop.learning`` (grouping, labels, export); this router turns its values into
the page and its French. Texts arrive redacted: an editor never sees an e-mail, an order
number or a name. Each form names the turns it labels (what the editor saw, even if new
messages joined the group since). Without JavaScript every form POSTs then redirects;
``console.js`` adds the keyboard shortcuts written on the page.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from desk.deps import (
    Desk,
    console_page,
    posted_form,
    reviewing,
    reviewing_page,
    the_desk,
    wants_json,
)
from desk.security import AgentSession
from shop.learning.choices import LabelChoices
from shop.learning.export import ExportError, export_reviewed, export_root
from shop.learning.inbox import (
    InboxGroup,
    check_label,
    label_turns,
    pending_groups,
    recent_labels,
    undo_last,
)
from shop.policy.answers import format_datetime
from shop.store.learning import LabelKind
from shop.voice import agent_labels, say_to_agent
from shop.voice.french import format_percent

router = APIRouter(prefix="/console")

PAGE = "/console/revue"
RECENT_SHOWN = 10
MAX_TURNS = 5000  # turns one form may label (a group never holds more in 30 days)
REASON_LABELS = agent_labels("review_reason")
VERDICT_LABELS = agent_labels("review_verdict")  # by LabelKind value
NOTHING_CHOSEN = say_to_agent("review_inbox.nothing_chosen")
GONE = say_to_agent("review_inbox.gone")
EXPORT_BLOCKED = say_to_agent("review_export.blocked")
EXPORT_FAILED = say_to_agent("review_export.failed")
_DIGITS = re.compile(r"[0-9]{1,12}")


class Refusal(Exception):
    """A label the console refuses, with the French reason."""


async def _choices(desk: Desk) -> LabelChoices:
    return await run_in_threadpool(desk.choices.get)


def _percent(confidence: float | None) -> str:
    return "" if confidence is None else format_percent(confidence)


def _group_view(
    group: InboxGroup, choices: LabelChoices, desk: Desk, next_key: str
) -> dict[str, Any]:
    intents, entries = dict(choices.intents), dict(choices.faq_entries)
    suggestions = []
    for suggestion in group.suggestions:
        names = entries if suggestion.kind == "faq" else intents
        if suggestion.value not in names:  # not something an editor may pick any more
            continue
        suggestions.append(
            {
                "choice": f"{suggestion.kind}:{suggestion.value}",
                "title": names[suggestion.value],
                "value": ("faq/" if suggestion.kind == "faq" else "") + suggestion.value,
                "confidence": _percent(suggestion.confidence),
            }
        )
    return {
        "key": group.key,
        "text": group.text,
        "count": group.count,
        "turns": ",".join(str(turn_id) for turn_id in group.turn_ids),
        "examples": group.examples,
        "reasons": [(REASON_LABELS.get(reason, reason), n) for reason, n in group.reasons],
        "suggestions": suggestions,
        "last_seen": format_datetime(group.last_seen, desk.profile),
        "next": next_key,
    }


def _notice(done: str, count: int) -> str | None:
    if done == "etiquete":
        key = "review_inbox.labelled_many" if count > 1 else "review_inbox.labelled_one"
        return say_to_agent(key, count=count)
    if done == "annule":
        key = "review_inbox.undone_many" if count > 1 else "review_inbox.undone_one"
        return say_to_agent(key, count=count)
    if done == "rien":
        return say_to_agent("review_inbox.nothing_to_undo")
    return None


async def _page(
    request: Request, desk: Desk, agent: AgentSession, status: int = 200, **context: Any
) -> Response:
    choices = await _choices(desk)
    now = desk.clock.now()

    def read(session: Any) -> tuple[list[InboxGroup], list[Any]]:
        return pending_groups(session, now), recent_labels(session, RECENT_SHOWN)

    groups, recent = await desk.service.db(read)
    keys = [group.key for group in groups]
    views = [
        _group_view(group, choices, desk, keys[i + 1] if i + 1 < len(keys) else "")
        for i, group in enumerate(groups)
    ]
    names = {**dict(choices.intents), **{f"faq/{k}": v for k, v in choices.faq_entries}}
    done = [
        {
            "text": label.text,
            "count": label.count,
            "verdict": VERDICT_LABELS.get(label.kind, label.kind),
            "value": _label_value(label.kind, label.value),
            "title": names.get(_label_value(label.kind, label.value) or "", ""),
            "editor": label.editor,
            "at": format_datetime(label.labelled_at, desk.profile),
        }
        for label in recent
    ]
    context.setdefault("error", None)
    context.setdefault("notice", None)
    context.setdefault("report", None)
    return console_page(
        request,
        agent,
        "review.html",
        status,
        groups=views,
        recent=done,
        intents=choices.intents,
        faq_entries=choices.faq_entries,
        **context,
    )


def _label_value(kind: str, value: str | None) -> str | None:
    if kind == LabelKind.FAQ.value and value:
        return f"faq/{value}"
    return value if kind == LabelKind.INTENT.value else None


@router.get("/revue", response_class=HTMLResponse)
async def review_page(
    request: Request,
    fait: str = Query("", max_length=12),
    n: int = Query(0, ge=0, le=MAX_TURNS),
    agent: AgentSession = Depends(reviewing_page),
    desk: Desk = Depends(the_desk),
) -> Response:
    return await _page(request, desk, agent, notice=_notice(fait, n))


def parse_choice(form: dict[str, str], choices: LabelChoices) -> tuple[LabelKind, str | None]:
    """The label a form asks for: a button's ``choice`` (``intent:<name>``, ``faq:<id>``,
    ``out_of_scope``, ``new_faq``) or, with ``choice=other``, what was typed or picked in the
    search field (an intent, ``faq/<id>``, or exactly a title from the list)."""
    choice = form.get("choice", "").strip()
    if choice in (LabelKind.OUT_OF_SCOPE.value, LabelKind.NEW_FAQ.value):
        return LabelKind(choice), None
    if choice == "other":
        kind, value = _typed(form.get("other", ""), choices)
    else:
        kind_text, _, value = choice.partition(":")
        if kind_text not in (LabelKind.INTENT.value, LabelKind.FAQ.value) or not value:
            raise Refusal(NOTHING_CHOSEN)
        kind = LabelKind(kind_text)
    try:
        check_label(kind, value, choices)
    except ValueError:
        raise Refusal(say_to_agent("review_inbox.unknown_label", value=value[:80])) from None
    return kind, value


def _typed(text: str, choices: LabelChoices) -> tuple[LabelKind, str]:
    text = text.strip()
    if not text:
        raise Refusal(NOTHING_CHOSEN)
    if text.startswith("faq/"):
        return LabelKind.FAQ, text.removeprefix("faq/")
    if text in choices.faq_ids:
        return LabelKind.FAQ, text
    folded = text.casefold()
    for entry_id, title in choices.faq_entries:
        if title.casefold() == folded:
            return LabelKind.FAQ, entry_id
    for name, description in choices.intents:
        if description.casefold() == folded:
            return LabelKind.INTENT, name
    return LabelKind.INTENT, text


def parse_turns(text: str) -> list[int]:
    ids = [part.strip() for part in text.split(",") if part.strip()]
    if not ids or len(ids) > MAX_TURNS or not all(_DIGITS.fullmatch(i) for i in ids):
        raise Refusal(GONE)
    return [int(i) for i in ids]


def _back(done: str, count: int, next_key: str = "") -> RedirectResponse:
    anchor = f"#groupe-{next_key}" if _DIGITS.fullmatch(next_key) else ""
    return RedirectResponse(f"{PAGE}?fait={done}&n={count}{anchor}", status_code=303)


@router.post("/revue/etiqueter")
async def label_group(
    request: Request, agent: AgentSession = Depends(reviewing), desk: Desk = Depends(the_desk)
) -> Response:
    form = await posted_form(request, agent)
    choices = await _choices(desk)
    now = desk.clock.now()
    try:
        kind, value = parse_choice(form, choices)
        turns = parse_turns(form.get("turns", ""))

        def label(session: Any) -> int:
            try:
                return label_turns(session, turns, kind, value, agent.username, now, choices)
            except ValueError:  # the kind and value are checked: the turns are gone
                raise Refusal(GONE) from None

        count = await desk.service.db(label)
    except Refusal as refusal:
        if wants_json(request):
            return JSONResponse({"detail": str(refusal)}, status_code=422)
        return await _page(request, desk, agent, 422, error=str(refusal))
    if wants_json(request):
        return JSONResponse({"labelled": count})
    return _back("etiquete", count, form.get("next", ""))


@router.post("/revue/annuler")
async def undo(
    request: Request, agent: AgentSession = Depends(reviewing), desk: Desk = Depends(the_desk)
) -> Response:
    await posted_form(request, agent)
    count = await desk.service.db(lambda s: undo_last(s, agent.username, desk.clock.now()))
    if wants_json(request):
        return JSONResponse({"undone": count})
    return _back("annule" if count else "rien", count)


@router.post("/revue/exporter")
async def export(
    request: Request, agent: AgentSession = Depends(reviewing), desk: Desk = Depends(the_desk)
) -> Response:
    await posted_form(request, agent)
    root = export_root()
    choices = await _choices(desk)  # the labels an editor may give here: the others are stale
    try:
        report = await desk.service.db(
            lambda s: export_reviewed(s, root, desk.clock.now(), choices=choices)
        )
    except ExportError:
        return await _page(request, desk, agent, 409, error=EXPORT_BLOCKED)
    except OSError:
        return await _page(request, desk, agent, 503, error=EXPORT_FAILED)
    files = [
        (say_to_agent("review_export.training"), report.training, report.training_path),
        (say_to_agent("review_export.heldout"), report.heldout, report.heldout_path),
    ]
    if report.drafts_path is not None:
        files.append((say_to_agent("review_export.drafts"), report.drafts, report.drafts_path))
    notes = []
    if report.already_trained:
        notes.append(say_to_agent("review_export.already_trained", count=report.already_trained))
    if report.stale:
        notes.append(say_to_agent("review_export.stale", count=report.stale))
    if wants_json(request):
        rows = [{"label": a, "count": n, "path": str(p)} for a, n, p in files]
        return JSONResponse({"files": rows, "notes": notes})
    rows_shown = [(a, n, str(p)) for a, n, p in files]
    return await _page(request, desk, agent, report=rows_shown, report_notes=notes)
