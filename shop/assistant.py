"""The use cases the conversation needs, one function per step of a journey.

Each function opens its own database session, checks the identity pair, asks the policy engine
for a decision, applies it (cancels the order, opens a ticket) and returns the French reply.
Rasa actions call these and nothing else, so the journeys run and test without Rasa.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from shop.clock import Clock, clock_from_env
from shop.policy.answers import (
    inquiry_question,
    render,
    render_cancelled,
    render_inquiry_opened,
    render_ticket_opened,
)
from shop.policy.cancellation import decide_cancellation
from shop.policy.decision import Decision
from shop.policy.lost_parcel import decide_lost_parcel
from shop.policy.profile import ShopProfile, load_active_profile
from shop.policy.promo import diagnose_promo_code
from shop.policy.resizing import decide_resizing
from shop.policy.returns import decide_return
from shop.policy.tracking import describe_tracking
from shop.store import repository, spool
from shop.store.db import make_engine, make_session_factory, session_scope
from shop.store.models import Order, OrderLine, ProductKind

MAX_IDENTITY_FAILURES = 3

PRODUCT_NAMES = {
    ProductKind.RING.value: "bague",
    ProductKind.BRACELET.value: "bracelet",
    ProductKind.WATCH.value: "montre",
    ProductKind.EARRINGS.value: "boucles d'oreilles",
    ProductKind.NECKLACE.value: "collier",
    ProductKind.PENDANT.value: "pendentif",
    ProductKind.OTHER.value: "article",
}

NOT_FOUND = (
    "Je ne trouve pas de commande correspondant à ce numéro et à cette adresse e-mail. "
    "Vérifiez les deux : le numéro (6 chiffres) et l'adresse figurent dans l'e-mail de "
    "confirmation de commande."
)
LOCKED = (
    "Je ne parviens pas à retrouver votre commande avec ces informations, je préfère donc "
    "arrêter les recherches et passer la main à un conseiller."
)
HUMAN_BUTTON = ("Parler à un conseiller", "/human_handoff")


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
    handoff_reason: str | None = None  # set: a person takes over (the bot stops answering)
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


# --- identity -------------------------------------------------------------------------------


def verify_identity(ctx: ShopContext, number: str, email: str) -> bool:
    """True when the order exists and belongs to that email; never says which part is wrong."""
    with session_scope(ctx.sessions) as session:
        return repository.find_order(session, number, email) is not None


def identity_failed_reply(failures: int) -> Reply:
    return Reply(LOCKED) if failures >= MAX_IDENTITY_FAILURES else Reply(NOT_FOUND)


# --- helpers --------------------------------------------------------------------------------


def _ticket_reply(ticket_number: str, ctx: ShopContext) -> Reply:
    return Reply(render_ticket_opened(ticket_number, ctx.profile.is_open(ctx.clock.now())))


def _open_ticket(
    session: Session,
    ctx: ShopContext,
    *,
    kind: str,
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
    kind: str,
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
        handoff_reason="policy" if decision.needs_human else None,
        order_number=order.number,
    )


def _not_found() -> Answer:
    return Answer((Reply(NOT_FOUND),))


# --- journeys -------------------------------------------------------------------------------


def answer_cancellation(
    ctx: ShopContext, number: str, email: str, conversation_id: str | None = None
) -> Answer:
    """Say whether the order can be cancelled; if it can, ask for a confirmation first."""
    with session_scope(ctx.sessions) as session:
        order = repository.find_order(session, number, email)
        if order is None:
            return _not_found()
        decision = decide_cancellation(order, ctx.profile, ctx.clock.now())
        if decision.outcome != "allowed":
            return _decided(
                ctx,
                session,
                decision,
                order=order,
                kind="cancellation",
                conversation_id=conversation_id,
            )
        text = render(decision, ctx.profile)
        question = Reply(
            f"Voulez-vous que j'annule la commande {order.number} maintenant ?",
            (("Oui, annuler la commande", "/affirm"), ("Non, la garder", "/deny")),
        )
        return Answer(
            (Reply(text), question), decision=decision, pending_confirmation="cancel_order"
        )


def confirm_cancellation(ctx: ShopContext, number: str, email: str) -> Answer:
    """Cancel for real, after deciding again at this instant (the cut-off may have passed)."""
    with session_scope(ctx.sessions) as session:
        order = repository.find_order(session, number, email)
        if order is None:
            return _not_found()
        decision = decide_cancellation(order, ctx.profile, ctx.clock.now())
        if decision.outcome != "allowed":
            return Answer((Reply(render(decision, ctx.profile)),), decision=decision)
        repository.cancel_order(session, order, ctx.clock.now())
        return Answer((Reply(render_cancelled(decision, ctx.profile)),), decision=decision)


def answer_tracking(
    ctx: ShopContext, number: str, email: str, conversation_id: str | None = None
) -> Answer:
    with session_scope(ctx.sessions) as session:
        order = repository.find_order(session, number, email)
        if order is None:
            return _not_found()
        decision = describe_tracking(order, ctx.profile, ctx.clock.now())
        return _decided(
            ctx, session, decision, order=order, kind="tracking", conversation_id=conversation_id
        )


def answer_return(
    ctx: ShopContext, number: str, email: str, conversation_id: str | None = None
) -> Answer:
    with session_scope(ctx.sessions) as session:
        order = repository.find_order(session, number, email)
        if order is None:
            return _not_found()
        decision = decide_return(order, ctx.profile, ctx.clock.now())
        return _decided(
            ctx, session, decision, order=order, kind="return", conversation_id=conversation_id
        )


def answer_lost_parcel(ctx: ShopContext, number: str, email: str) -> Answer:
    """Give the checklist; when an inquiry is due, ask whether the checks are done first."""
    with session_scope(ctx.sessions) as session:
        order = repository.find_order(session, number, email)
        if order is None:
            return _not_found()
        decision = decide_lost_parcel(order, ctx.profile, ctx.clock.now())
        replies = [Reply(render(decision, ctx.profile))]
        if not decision.needs_human:
            return Answer(tuple(replies), decision=decision)
        replies.append(
            Reply(
                inquiry_question(decision),
                (("Oui, ouvrir l'enquête", "/affirm"), ("Non, pas maintenant", "/deny")),
            )
        )
        return Answer(tuple(replies), decision=decision, pending_confirmation="lost_parcel")


def open_lost_parcel_inquiry(
    ctx: ShopContext, number: str, email: str, conversation_id: str | None = None
) -> Answer:
    with session_scope(ctx.sessions) as session:
        order = repository.find_order(session, number, email)
        if order is None:
            return _not_found()
        decision = decide_lost_parcel(order, ctx.profile, ctx.clock.now())
        if not decision.needs_human:
            return Answer((Reply(render(decision, ctx.profile)),), decision=decision)
        ticket_number = _open_ticket(
            session,
            ctx,
            kind="lost_parcel",
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
            handoff_reason="policy",
            order_number=order.number,
        )


def _resizable_line(order: Order, product_kind: str | None) -> OrderLine | None:
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
            return _not_found()
        line = _resizable_line(order, product_kind)
        if line is None:
            name = PRODUCT_NAMES.get(product_kind or "", "article de ce type")
            items = ", ".join(item.title for item in order.lines)
            return Answer(
                (Reply(f"Je ne trouve pas de {name} dans la commande {order.number} ({items})."),)
            )
        decision = decide_resizing(order, line, wanted_size or "", ctx.profile, ctx.clock.now())
        return _decided(
            ctx, session, decision, order=order, kind="resizing", conversation_id=conversation_id
        )


def answer_promo_code(ctx: ShopContext, code: str, email: str | None) -> Answer:
    with session_scope(ctx.sessions) as session:
        promo = repository.find_promo_code(session, code)
        customer = repository.find_customer_by_email(session, email) if email else None
        decision = diagnose_promo_code(
            code,
            promo,
            repository.all_promo_codes(session),
            customer,
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
    reason: str = "shopper_request",
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
            kind="handoff",
            conversation_id=conversation_id,
            decision=None,
            order=order,
            facts={"reason": reason, **facts},
            priority=1 if reason == "identity" else 2,
        )
        replies = (*((lead,) if lead else ()), _ticket_reply(ticket_number, ctx))
        return Answer(
            replies,
            ticket_number=ticket_number,
            handoff_reason=reason,
            order_number=order.number if order is not None else None,
        )


# --- when the database is down ----------------------------------------------------------------

SPOOLED = (
    "Votre demande est bien enregistrée : un conseiller la traitera et vous répondra par "
    "e-mail dès que possible."
)


def spool_request(
    kind: str, conversation_id: str | None, facts: dict[str, Any], clock: Clock | None = None
) -> Reply:
    """Keep a request for a person on disk when the store cannot take it (nothing is lost)."""
    spool.spool_ticket(kind, conversation_id, facts, (clock or clock_from_env()).now())
    return Reply(SPOOLED)


def has_kept_requests() -> bool:
    return spool.pending()


def replay_spooled_tickets(ctx: ShopContext) -> list[str]:
    """Turn the requests kept on disk into real tickets, once the store answers again."""
    if not spool.pending():
        return []
    return spool.replay(ctx.sessions, ctx.profile.ticket_due_at)
