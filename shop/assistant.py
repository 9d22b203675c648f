"""The use cases the conversation needs, one function per step of a journey.

Each function opens its own database session, checks the identity pair, asks the policy engine
for a decision, applies it (cancels the order, opens a ticket) and returns the French reply.
Rasa actions call these and nothing else, so the journeys run and test without Rasa: what an
action needs of the store or the shop profile (reading an order number, the FAQ's folder, a
profile refused at start) is offered here too (the import contract, ``.importlinter``, holds
them to it).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from shop import order_numbers
from shop.clock import Clock, clock_from_env
from shop.kinds import HandoffReason, Outcome, TicketKind
from shop.order_numbers import OrderNumberStyle
from shop.policy.answers import (
    STATUS_NAMES,
    format_datetime,
    inquiry_question,
    render,
    render_cancelled,
    render_inquiry_opened,
    render_ticket_opened,
)
from shop.policy.cancellation import decide_cancellation
from shop.policy.decision import Decision
from shop.policy.lost_parcel import decide_lost_parcel
from shop.policy.profile import ProfileError, ShopProfile, load_active_profile
from shop.policy.promo import diagnose_promo_code
from shop.policy.resizing import decide_resizing
from shop.policy.returns import decide_return
from shop.policy.tracking import describe_tracking
from shop.policy.views import LineView, OrderView, order_view, promo_code_view
from shop.store import (
    conversation_repository,
    identity_attempts,
    platform_requests,
    repository,
    spool,
)
from shop.store.db import make_engine, make_session_factory, session_scope
from shop.store.models import Order, Ticket
from shop.store.platform_requests import RequestKind
from shop.voice import labels, say
from shop.voice.french import join_words

MAX_IDENTITY_FAILURES = 3  # in one conversation
# Across conversations: per order number, per e-mail and per client address.
MAX_FAILURES_PER_WINDOW = 5
IDENTITY_WINDOW = timedelta(hours=1)
MINUTE = timedelta(minutes=1)

PRODUCT_NAMES = labels("item_name")

LOCKED_FOR_SAFETY = say("order_lookup.locked_for_safety")
LOCKED = say("order_lookup.locked")
# A return the rules grant, whole or in part: a platform's order may then be asked for it.
RETURN_GRANTED = (Outcome.ALLOWED, Outcome.PARTLY_ALLOWED)
HUMAN_BUTTON = (say("quick_reply.human"), "/human_handoff")


@dataclass(frozen=True)
class Reply:
    """One message for the shopper: French text and optional quick-reply buttons."""

    text: str
    buttons: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Answer:
    """The replies of one step, plus what the conversation must remember."""

    replies: tuple[Reply, ...]
    decision: Decision | None = None
    ticket_number: str | None = None
    pending_confirmation: str | None = None  # set: the next yes/no answers this question
    handoff_reason: HandoffReason | None = None  # set: a person takes over, the bot stops
    order_number: str | None = None  # the verified order the answer is about

    @property
    def text(self) -> str:
        return "\n".join(reply.text for reply in self.replies)


@dataclass(frozen=True)
class ShopContext:
    """Everything a use case needs from outside: the database, the active shop rules, time."""

    sessions: sessionmaker
    profile: ShopProfile
    clock: Clock


@functools.lru_cache(maxsize=1)
def context_from_env() -> ShopContext:
    """The context of the running servers (database URL, profile and clock from the env)."""
    return ShopContext(
        sessions=make_session_factory(make_engine()),
        profile=load_active_profile(),
        clock=clock_from_env(),
    )


def profile_refusal() -> str | None:
    """Why the active shop profile is refused (file, field, reason), or None when it loads:
    the servers check it before they start rather than in a shopper's turn."""
    try:
        context_from_env()
    except ProfileError as error:
        return str(error)
    return None


# --- identity -------------------------------------------------------------------------------


def order_number_style(ctx: ShopContext | None = None) -> OrderNumberStyle:
    """How the active shop writes its order numbers: its platform's style, or our 6 digits."""
    platform = (ctx or context_from_env()).profile.platform
    return order_numbers.style_of(platform.kind if platform is not None else None)


def normalise_order_number(text: str | None) -> str | None:
    """An order number as shoppers type it (« n° 482 913 », « #1001 ») in the shop's style."""
    return order_number_style().read(text)


def order_number_in(text: str | None) -> str | None:
    """The shop's order number inside a free answer (« c'est la 1001 merci »), or None."""
    return order_number_style().find(text)


def order_number_named_in(text: str | None) -> str | None:
    """The shop's order number a sentence names as such (« ma commande 1001 »), or None."""
    return order_number_style().find_named(text)


def _described(style: OrderNumberStyle) -> str:
    """« 6 chiffres », « au moins 4 chiffres »…: what the shop's order numbers look like."""
    return labels("order_number_shape")[style.name]


def ask_order_number_text() -> str:
    return say("order_form.ask_order_number", described=_described(order_number_style()))


def bad_order_number_text() -> str:
    style = order_number_style()
    return say("order_form.bad_order_number", described=_described(style), example=style.example)


@dataclass(frozen=True)
class IdentityCheck:
    """What one check of an (order number, e-mail) pair found."""

    verified: bool = False
    locked: bool = False  # too many recent failures on this order, e-mail or client address
    ticket_number: str | None = None  # set when this failure started the lock


def check_identity(
    ctx: ShopContext,
    number: str,
    email: str,
    client: str | None = None,
    conversation_id: str | None = None,
) -> IdentityCheck:
    """Check the pair unless this order, e-mail or client failed too often in the last hour.

    A wrong pair gets the same answer as an unknown order; the failure is stored, so guessing
    is limited across conversations and restarts. While locked, not even the right pair is
    looked up. The failure that starts a lock opens one ticket for the shop (not one per
    conversation: later tries are refused before they count).
    """
    now = ctx.clock.now()
    since = now - IDENTITY_WINDOW
    with session_scope(ctx.sessions) as session:
        tried = identity_attempts.most_failures_since(session, since, number, email, client)
        if tried >= MAX_FAILURES_PER_WINDOW:
            return IdentityCheck(locked=True)
        if repository.order_exists(session, number, email):
            return IdentityCheck(verified=True)
        identity_attempts.forget_before(session, since - IDENTITY_WINDOW)
        identity_attempts.record_failure(session, now, number, email, client)
        if tried + 1 < MAX_FAILURES_PER_WINDOW:
            return IdentityCheck()
        ticket = _open_ticket(
            session,
            ctx,
            kind=TicketKind.IDENTITY_LOCK,
            conversation_id=conversation_id,
            decision=None,
            facts={"order_number": number, "window_minutes": IDENTITY_WINDOW // MINUTE},
            priority=1,
        )
        return IdentityCheck(locked=True, ticket_number=ticket)


def identity_failed_reply(failures: int) -> Reply:
    if failures >= MAX_IDENTITY_FAILURES:
        return Reply(LOCKED)
    return Reply(_not_found_text(context_from_env()))


# --- helpers --------------------------------------------------------------------------------


def _ticket_reply(ticket_number: str, ctx: ShopContext) -> Reply:
    return Reply(render_ticket_opened(ticket_number, ctx.profile.is_open(ctx.clock.now())))


def _open_ticket(
    session: Session,
    ctx: ShopContext,
    *,
    kind: TicketKind,
    conversation_id: str | None,
    decision: Decision | None,
    order: Order | None = None,
    facts: dict[str, Any] | None = None,
    priority: int = 2,
) -> str:
    now = ctx.clock.now()
    ticket = repository.open_ticket(
        session,
        kind=kind,
        now=now,
        due_at=ctx.profile.ticket_due_at(now, priority),
        facts=dict(facts or {}),
        order=order,
        customer=order.customer if order is not None else None,
        conversation_id=conversation_id,
        decision=decision,
        priority=priority,
    )
    return str(ticket.number)


def _decided(
    ctx: ShopContext,
    session: Session,
    decision: Decision,
    *,
    order: Order,
    kind: TicketKind,
    conversation_id: str | None,
) -> Answer:
    """The reply for a decision, with a ticket when the decision says a human must act."""
    replies = [Reply(render(decision, ctx.profile))]
    ticket_number = None
    if decision.needs_human:
        ticket_number = _open_ticket(
            session, ctx, kind=kind, conversation_id=conversation_id, decision=decision, order=order
        )
        replies.append(_ticket_reply(ticket_number, ctx))
    return Answer(
        tuple(replies),
        decision=decision,
        ticket_number=ticket_number,
        handoff_reason=HandoffReason.POLICY if decision.needs_human else None,
        order_number=order.number,
    )


def _not_found_text(ctx: ShopContext) -> str:
    style = order_number_style(ctx)
    return say("order_lookup.not_found", described=_described(style))


def _not_found(ctx: ShopContext) -> Answer:
    return Answer((Reply(_not_found_text(ctx)),))


# --- journeys -------------------------------------------------------------------------------


def answer_cancellation(
    ctx: ShopContext, number: str, email: str, conversation_id: str | None = None
) -> Answer:
    """Say whether the order can be cancelled; if it can, ask for a confirmation first."""
    with session_scope(ctx.sessions) as session:
        order = repository.find_order(session, number, email)
        if order is None:
            return _not_found(ctx)
        decision = decide_cancellation(order_view(order), ctx.profile, ctx.clock.now())
        if decision.outcome != Outcome.ALLOWED:
            return _decided(
                ctx,
                session,
                decision,
                order=order,
                kind=TicketKind.CANCELLATION,
                conversation_id=conversation_id,
            )
        text = render(decision, ctx.profile)
        question = Reply(
            say("cancellation.confirm", order_number=order.number),
            (
                (say("quick_reply.cancel_yes"), "/affirm"),
                (say("quick_reply.cancel_no"), "/deny"),
            ),
        )
        return Answer(
            (Reply(text), question), decision=decision, pending_confirmation="cancel_order"
        )


def confirm_cancellation(ctx: ShopContext, number: str, email: str) -> Answer:
    """Cancel for real, after deciding again at this instant (the cut-off may have passed)."""
    with session_scope(ctx.sessions) as session:
        order = repository.find_order(session, number, email)
        if order is None:
            return _not_found(ctx)
        decision = decide_cancellation(order_view(order), ctx.profile, ctx.clock.now())
        if decision.outcome != Outcome.ALLOWED:
            return Answer((Reply(render(decision, ctx.profile)),), decision=decision)
        cancelled = repository.cancel_order(session, order, ctx.clock.now())
        text = render_cancelled(
            decision, ctx.profile, platform_to_confirm=cancelled.platform is not None
        )
        return Answer((Reply(text),), decision=decision)


def answer_tracking(
    ctx: ShopContext, number: str, email: str, conversation_id: str | None = None
) -> Answer:
    with session_scope(ctx.sessions) as session:
        order = repository.find_order(session, number, email)
        if order is None:
            return _not_found(ctx)
        decision = describe_tracking(order_view(order), ctx.profile, ctx.clock.now())
        return _decided(
            ctx,
            session,
            decision,
            order=order,
            kind=TicketKind.TRACKING,
            conversation_id=conversation_id,
        )


def answer_return(
    ctx: ShopContext, number: str, email: str, conversation_id: str | None = None
) -> Answer:
    with session_scope(ctx.sessions) as session:
        order = repository.find_order(session, number, email)
        if order is None:
            return _not_found(ctx)
        decision = decide_return(order_view(order), ctx.profile, ctx.clock.now())
        answer = _decided(
            ctx,
            session,
            decision,
            order=order,
            kind=TicketKind.RETURN,
            conversation_id=conversation_id,
        )
        if not order.platform or decision.outcome not in RETURN_GRANTED:
            return answer
        # The shop's platform keeps its returns: offer to ask it for this one.
        question = Reply(
            say("returns.ask_request"),
            ((say("quick_reply.return_yes"), "/affirm"), (say("quick_reply.return_no"), "/deny")),
        )
        return replace(
            answer, replies=(*answer.replies, question), pending_confirmation="return_item"
        )


def request_return(
    ctx: ShopContext, number: str, email: str, conversation_id: str | None = None
) -> Answer:
    """The shopper said yes: the return of the eligible articles is queued for the shop's
    platform (the outbox sends it; one the platform cannot take goes to an agent). The answer
    says what was requested, not what the platform has not confirmed yet."""
    with session_scope(ctx.sessions) as session:
        order = repository.find_order(session, number, email)
        if order is None:
            return _not_found(ctx)
        decision = decide_return(order_view(order), ctx.profile, ctx.clock.now())
        if decision.outcome not in RETURN_GRANTED:  # the window closed meanwhile
            return Answer((Reply(render(decision, ctx.profile)),), decision=decision)
        items = [line["title"] for line in decision.facts["lines"] if line["eligible"]]
        asked = platform_requests.requests_for_order(session, order.id)
        if any(request.kind == RequestKind.RETURN.value for request in asked):
            text = say("returns.already_requested", order_number=order.number)
            return Answer((Reply(text),), decision=decision, order_number=order.number)
        platform_requests.request_for(
            session, order, RequestKind.RETURN, ctx.clock.now(), details={"items": items}
        )
        text = say("returns.requested", order_number=order.number, items=join_words(items))
        return Answer((Reply(text),), decision=decision, order_number=order.number)


def answer_lost_parcel(ctx: ShopContext, number: str, email: str) -> Answer:
    """Give the checklist; when an inquiry is due, ask whether the checks are done first."""
    with session_scope(ctx.sessions) as session:
        order = repository.find_order(session, number, email)
        if order is None:
            return _not_found(ctx)
        decision = decide_lost_parcel(order_view(order), ctx.profile, ctx.clock.now())
        replies = [Reply(render(decision, ctx.profile))]
        if not decision.needs_human:
            return Answer(tuple(replies), decision=decision)
        replies.append(
            Reply(
                inquiry_question(decision),
                (
                    (say("quick_reply.inquiry_yes"), "/affirm"),
                    (say("quick_reply.inquiry_no"), "/deny"),
                ),
            )
        )
        return Answer(tuple(replies), decision=decision, pending_confirmation="lost_parcel")


def open_lost_parcel_inquiry(
    ctx: ShopContext, number: str, email: str, conversation_id: str | None = None
) -> Answer:
    with session_scope(ctx.sessions) as session:
        order = repository.find_order(session, number, email)
        if order is None:
            return _not_found(ctx)
        decision = decide_lost_parcel(order_view(order), ctx.profile, ctx.clock.now())
        if not decision.needs_human:
            return Answer((Reply(render(decision, ctx.profile)),), decision=decision)
        ticket_number = _open_ticket(
            session,
            ctx,
            kind=TicketKind.LOST_PARCEL,
            conversation_id=conversation_id,
            decision=decision,
            order=order,
            priority=1,
        )
        text = render_inquiry_opened(decision, ticket_number)
        return Answer(
            (Reply(text),),
            decision=decision,
            ticket_number=ticket_number,
            handoff_reason=HandoffReason.POLICY,
            order_number=order.number,
        )


def _resizable_line(order: OrderView, product_kind: str | None) -> LineView | None:
    lines = [line for line in order.lines if product_kind in (None, line.kind.value)]
    return lines[0] if lines else None


def answer_resizing(
    ctx: ShopContext,
    number: str,
    email: str,
    product_kind: str | None,
    wanted_size: str | None,
    conversation_id: str | None = None,
) -> Answer:
    with session_scope(ctx.sessions) as session:
        order = repository.find_order(session, number, email)
        if order is None:
            return _not_found(ctx)
        view = order_view(order)
        line = _resizable_line(view, product_kind)
        if line is None:
            name = PRODUCT_NAMES.get(product_kind or "", say("resizing.any_item"))
            items = ", ".join(item.title for item in order.lines)
            text = say("resizing.no_such_item", name=name, order_number=order.number, items=items)
            return Answer((Reply(text),))
        decision = decide_resizing(view, line, wanted_size or "", ctx.profile, ctx.clock.now())
        return _decided(
            ctx,
            session,
            decision,
            order=order,
            kind=TicketKind.RESIZING,
            conversation_id=conversation_id,
        )


def answer_promo_code(ctx: ShopContext, code: str) -> Answer:
    """Why a code fails, from what the shop publishes about it and nothing about any customer.

    Nobody proves who they are in this journey, so a personal code answers exactly as an
    unknown one (whoever asks), typos are matched among public codes only, and a single-use
    code states the rule instead of saying whether some account used it.
    """
    with session_scope(ctx.sessions) as session:
        codes = repository.all_promo_codes(session)
        public = [promo for promo in codes if promo.customer_id is None]
        found = repository.find_promo_code(session, code)
        promo = found if found is not None and found.customer_id is None else None
        decision = diagnose_promo_code(
            code,
            promo_code_view(promo) if promo is not None else None,
            [promo_code_view(known) for known in public],
            None,
            ctx.clock.now(),
            ctx.profile,
        )
        return Answer((Reply(render(decision, ctx.profile)),), decision=decision)


def open_handoff_ticket(
    ctx: ShopContext,
    conversation_id: str | None,
    facts: dict[str, Any],
    number: str | None = None,
    email: str | None = None,
    reason: HandoffReason = HandoffReason.SHOPPER_REQUEST,
    lead: Reply | None = None,
) -> Answer:
    """A person takes over: a ticket with what the bot knows (order only when verified).

    ``reason`` is why: shopper_request, fallback (not understood twice) or identity (three
    failed checks); ``lead`` is said before the ticket number.
    """
    with session_scope(ctx.sessions) as session:
        order = repository.find_order(session, number, email) if number and email else None
        ticket_number = _open_ticket(
            session,
            ctx,
            kind=TicketKind.HANDOFF,
            conversation_id=conversation_id,
            decision=None,
            order=order,
            facts={"reason": reason, **facts},
            priority=1 if reason == HandoffReason.IDENTITY else 2,
        )
        replies = (*((lead,) if lead else ()), _ticket_reply(ticket_number, ctx))
        return Answer(
            replies,
            ticket_number=ticket_number,
            handoff_reason=reason,
            order_number=order.number if order is not None else None,
        )


# --- when the database is down ----------------------------------------------------------------

# One message, said instead of the technical-problem one: the request is kept, nothing to redo.
SPOOLED = say("kept_request.kept")
KEPT_REQUEST_REASON = HandoffReason.KEPT_REQUEST


def spool_request(
    kind: str, conversation_id: str | None, facts: dict[str, Any], clock: Clock | None = None
) -> Reply:
    """Keep a request for a person on disk when the store cannot take it (nothing is lost)."""
    spool.spool_ticket(kind, conversation_id, facts, (clock or clock_from_env()).now())
    return Reply(SPOOLED)


def has_kept_requests() -> bool:
    return spool.pending()


def replay_spooled_tickets(ctx: ShopContext) -> list[spool.Replayed]:
    """Turn the requests kept on disk into real tickets, once the store answers again; a
    request from a conversation of the desk also puts it in the agents' queue."""
    if not spool.pending():
        return []
    return spool.replay(ctx.sessions, ctx.profile.ticket_due_at, _kept_request_handoff(ctx))


def kept_request_notice(ticket_number: str, shop_open: bool, due: str) -> str:
    """What the shopper reads in the desk when a kept request reaches the agents."""
    if shop_open:
        return say("kept_request.numbered_shop_open", ticket_number=ticket_number)
    return say("kept_request.numbered_shop_closed", ticket_number=ticket_number, due=due)


def _kept_request_handoff(ctx: ShopContext) -> spool.AfterTicket:
    def hand_over(session: Session, request: spool.KeptRequest, ticket: Ticket) -> None:
        now = ctx.clock.now()
        number = str(ticket.number)
        order_number = request.facts.get("order_number")
        order = (
            conversation_repository.order_for_agent(session, str(order_number))
            if order_number
            else None
        )
        note = {
            "reason": KEPT_REQUEST_REASON,
            "kind": request.kind,
            "action": request.facts.get("action"),
            "intent": None,
            "confidence": None,
            "verified": bool(request.facts.get("verified")),
            "ticket": number,
            "kept_at": request.at.isoformat(),
            "order": {
                "number": str(order_number),
                "found": order is not None,
                "status": order.status.value if order is not None else None,
                "status_label": STATUS_NAMES.get(order.status.value) if order else None,
            }
            if order_number
            else None,
            "decision": None,
        }
        notice = kept_request_notice(
            number, ctx.profile.is_open(now), format_datetime(ticket.due_at, ctx.profile)
        )
        conversation_repository.hand_over_kept_request(
            session,
            request.conversation_id,
            reason=KEPT_REQUEST_REASON,
            note=note,
            ticket_number=number,
            priority=int(ticket.priority),
            now=now,
            due_at=ticket.due_at,
            notice=notice,
        )

    return hand_over
