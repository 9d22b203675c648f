"""The review inbox: every reason a turn needs an editor brings it in, a label takes it out,
undoing the label brings it back; groups come redacted, biggest first, with the bot's guesses;
a label names an intent or an FAQ entry the editor may choose, or is refused."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from devtools.servers import FROZEN_NOW
from shop.learning.choices import LabelChoices, LiveChoices, label_choices
from shop.learning.inbox import (
    Suggestion,
    label_turns,
    live_labels,
    pending_groups,
    recent_labels,
    undo_last,
)
from shop.privacy.subject import ERASED
from shop.store import conversation_repository as repo
from shop.store.conversations import MessageAuthor
from shop.store.db import session_scope
from shop.store.learning import BotTurn, Feedback, LabelKind, ReviewLabel
from tests.support.databases import seeded_sqlite, sessions_of

ROOT = Path(__file__).resolve().parents[2]
NOW = FROZEN_NOW


@pytest.fixture(scope="module")
def choices() -> LabelChoices:
    return label_choices(ROOT / "domain.yml", ROOT / "knowledge" / "faq")


@pytest.fixture()
def sessions(tmp_path: Path) -> Iterator[sessionmaker]:
    yield from sessions_of(seeded_sqlite(tmp_path / "shop.db"))


@pytest.fixture()
def session(sessions: sessionmaker) -> Iterator[Session]:
    with session_scope(sessions) as session:
        yield session


def add_turn(
    session: Session,
    text: str,
    *,
    minutes_ago: float = 10,
    conversation: str = "web-1",
    **fields: Any,
) -> int:
    values: dict[str, Any] = {"intent": "track_order", "confidence": 0.9}
    values.update(fields)
    turn = BotTurn(
        conversation_id=conversation,
        text=text,
        created_at=NOW - timedelta(minutes=minutes_ago),
        **values,
    )
    session.add(turn)
    session.flush()
    return int(turn.id)


def pending_ids(session: Session) -> list[int]:
    return sorted(i for group in pending_groups(session, NOW) for i in group.turn_ids)


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"doubt": "fallback", "intent": "nlu_fallback"}, "fallback"),
        ({"doubt": "ambiguous", "intent": "faq"}, "ambiguous"),
        ({"doubt": "low_confidence", "confidence": 0.41}, "low_confidence"),
        ({"next_step": "rephrased"}, "rephrased"),
        ({"next_step": "handoff"}, "handoff"),
    ],
)
def test_each_kind_of_doubt_brings_the_turn_in_with_its_reason(
    session: Session, fields: dict[str, Any], reason: str
) -> None:
    turn_id = add_turn(session, "ma bague est trop petite", **fields)

    [group] = pending_groups(session, NOW)

    assert group.turn_ids == (turn_id,)
    assert group.reasons == ((reason, 1),)


@pytest.mark.parametrize("next_step", [None, "continued", "thanked"])
def test_a_sure_answer_the_shopper_went_on_from_is_not_in_the_inbox(
    session: Session, next_step: str | None
) -> None:
    add_turn(session, "où est mon colis", next_step=next_step)

    assert pending_groups(session, NOW) == []


def test_a_thumbs_down_brings_in_the_turn_the_rated_answer_replied_to(
    session: Session,
) -> None:
    conversation = repo.create_conversation(session, NOW - timedelta(minutes=30))
    first = add_turn(session, "livrez vous en suisse", minutes_ago=20, conversation=conversation.id)
    repo.add_message(session, conversation.id, MessageAuthor.SHOPPER, "livrez vous en suisse", NOW)
    answer = repo.add_message(
        session,
        conversation.id,
        MessageAuthor.BOT,
        "Nous livrons en France.",
        NOW - timedelta(minutes=19),
    )
    add_turn(session, "merci", minutes_ago=5, conversation=conversation.id, intent="thanks")
    welcome = repo.add_message(
        session, conversation.id, MessageAuthor.BOT, "Avec plaisir !", NOW - timedelta(minutes=4)
    )
    session.add_all(
        [
            Feedback(
                conversation_id=conversation.id,
                message_id=answer.id,
                kind="answer",
                score=-1,
                created_at=NOW - timedelta(minutes=1),
            ),
            # A 👍 on the next answer and an agent's rating bring nothing in.
            Feedback(
                conversation_id=conversation.id,
                message_id=welcome.id,
                kind="answer",
                score=1,
                created_at=NOW - timedelta(minutes=1),
            ),
            Feedback(conversation_id=conversation.id, kind="agent", score=1, created_at=NOW),
        ]
    )
    session.flush()

    [group] = pending_groups(session, NOW)

    assert group.turn_ids == (first,)
    assert group.reasons == (("thumbs_down", 1),)


def test_a_thumbs_down_naming_no_message_brings_in_the_latest_turn_before_it(
    session: Session,
) -> None:
    conversation = repo.create_conversation(session, NOW - timedelta(minutes=30))
    add_turn(session, "bonjour", minutes_ago=25, conversation=conversation.id)
    rated = add_turn(session, "vous livrez en suisse", minutes_ago=20, conversation=conversation.id)
    add_turn(session, "et en belgique", minutes_ago=5, conversation=conversation.id)
    add_turn(session, "ailleurs", minutes_ago=20, conversation="another-conversation")
    session.add(
        Feedback(
            conversation_id=conversation.id,
            kind="answer",
            score=-1,
            created_at=NOW - timedelta(minutes=10),
        )
    )
    session.flush()

    assert pending_ids(session) == [rated]


def test_turns_older_than_the_window_or_after_now_are_left_out(session: Session) -> None:
    add_turn(session, "vieux message", minutes_ago=31 * 24 * 60, doubt="fallback")
    recent = add_turn(session, "message récent", minutes_ago=29 * 24 * 60, doubt="fallback")
    add_turn(session, "message du futur", minutes_ago=-5, doubt="fallback")

    assert pending_ids(session) == [recent]
    assert pending_groups(session, NOW, days=7) == []


def test_a_message_erased_at_the_shoppers_request_is_neither_reviewed_nor_exported(
    session: Session, choices: LabelChoices
) -> None:
    erased = add_turn(session, "je veux changer la taille", doubt="fallback")
    label_turns(session, [erased], LabelKind.INTENT, "resize_item", "lea", NOW, choices)
    add_turn(session, "ma bague est trop grande", doubt="fallback")
    kept = add_turn(session, "code promo refusé", doubt="fallback")
    session.execute(update(BotTurn).where(BotTurn.id != kept).values(text=ERASED, entities=[]))

    assert pending_ids(session) == [kept]
    assert live_labels(session, NOW) == []


def test_a_labelled_turn_leaves_the_inbox_and_comes_back_after_undo(
    session: Session, choices: LabelChoices
) -> None:
    labelled = add_turn(session, "je veux changer la taille", doubt="fallback")
    other = add_turn(session, "code promo refusé", doubt="low_confidence")

    assert (
        label_turns(session, [labelled], LabelKind.INTENT, "resize_item", "lea", NOW, choices) == 1
    )
    assert pending_ids(session) == [other]

    assert undo_last(session, "lea", NOW + timedelta(minutes=1)) == 1
    assert pending_ids(session) == [labelled, other]
    assert undo_last(session, "lea", NOW + timedelta(minutes=2)) == 0


def test_groups_are_redacted_biggest_first_with_reasons_and_the_bots_guesses(
    session: Session,
) -> None:
    add_turn(session, "vous livrez en Suisse ?", minutes_ago=50, doubt="fallback")
    ids = [
        add_turn(
            session,
            "mon colis 482913 est où",
            minutes_ago=40,
            doubt="low_confidence",
            confidence=0.4,
        ),
        add_turn(
            session,
            "Mon colis est où ? claire.martin@gmail.com",
            minutes_ago=30,
            doubt="fallback",
            intent="nlu_fallback",
        ),
        add_turn(
            session,
            "colis est où mon",
            minutes_ago=20,
            next_step="rephrased",
            intent="faq",
            faq_entry="livraison_delais",
            faq_score=0.5,
            confidence=0.7,
        ),
        add_turn(
            session, "mon colis est où", minutes_ago=10, doubt="low_confidence", confidence=0.5
        ),
    ]

    parcel, switzerland = pending_groups(session, NOW)

    assert parcel.key == str(ids[0])
    assert parcel.count == 4
    assert parcel.turn_ids == tuple(ids)
    assert parcel.text == "mon colis [n° de commande] est où"
    assert parcel.examples == (
        "mon colis [n° de commande] est où",
        "Mon colis est où ? [e-mail]",
        "colis est où mon",
        "mon colis est où",
    )
    assert parcel.reasons == (("low_confidence", 2), ("fallback", 1), ("rephrased", 1))
    assert parcel.suggestions == (
        Suggestion("intent", "track_order", 0.45),
        Suggestion("faq", "livraison_delais", 0.5),
    )
    assert parcel.last_seen == NOW - timedelta(minutes=10)
    assert switzerland.count == 1
    assert [g.key for g in pending_groups(session, NOW, limit=1)] == [parcel.key]


def test_examples_stop_at_five_distinct_texts(session: Session) -> None:
    for n in range(8):
        add_turn(session, f"où est mon colis{'?' * n}", doubt="fallback")
    add_turn(session, "où est mon colis", doubt="fallback")

    [group] = pending_groups(session, NOW)

    assert group.count == 9
    assert len(group.examples) == 5


def test_labels_must_name_an_intent_or_entry_an_editor_may_choose(
    session: Session, choices: LabelChoices
) -> None:
    turn_id = add_turn(session, "bonjour", doubt="fallback")

    for kind, value, message in [
        (LabelKind.INTENT, "annuler", "unknown intent 'annuler'"),
        (LabelKind.INTENT, "faq", "unknown intent 'faq'"),
        (LabelKind.INTENT, "nlu_fallback", "unknown intent 'nlu_fallback'"),
        (LabelKind.INTENT, None, "unknown intent None"),
        (LabelKind.FAQ, "livraison_nulle_part", "unknown FAQ entry 'livraison_nulle_part'"),
        ("bravo", None, "unknown label kind 'bravo'"),
    ]:
        with pytest.raises(ValueError, match=message):
            label_turns(session, [turn_id], kind, value, "lea", NOW, choices)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"unknown turn\(s\) \[999\]"):
        label_turns(session, [turn_id, 999], LabelKind.INTENT, "greet", "lea", NOW, choices)
    with pytest.raises(ValueError, match="no turn"):
        label_turns(session, [], LabelKind.INTENT, "greet", "lea", NOW, choices)

    assert session.scalars(select(ReviewLabel)).all() == []
    assert "greet" in choices.intent_names and "faq" not in choices.intent_names
    assert (
        label_turns(session, [turn_id], LabelKind.FAQ, "livraison_delais", "lea", NOW, choices) == 1
    )


def test_one_row_per_turn_and_a_new_label_replaces_the_old_one(
    session: Session, choices: LabelChoices
) -> None:
    first = add_turn(session, "quel temps fait-il", doubt="fallback")
    second = add_turn(session, "il fait beau ?", doubt="fallback")

    label_turns(session, [first, second, first], LabelKind.INTENT, "greet", "lea", NOW, choices)
    later = NOW + timedelta(minutes=1)
    label_turns(session, [first], LabelKind.OUT_OF_SCOPE, "ignored", "tom", later, choices)

    live = session.scalars(
        select(ReviewLabel).where(ReviewLabel.undone_at.is_(None)).order_by(ReviewLabel.turn_id)
    ).all()
    assert [(label.turn_id, label.kind, label.value, label.editor) for label in live] == [
        (first, "out_of_scope", None, "tom"),
        (second, "intent", "greet", "lea"),
    ]
    assert len(session.scalars(select(ReviewLabel)).all()) == 3


def test_undo_takes_back_only_the_editors_latest_labelling(
    session: Session, choices: LabelChoices
) -> None:
    a, b, c = (add_turn(session, text, doubt="fallback") for text in ("aa", "bb", "cc"))
    label_turns(session, [a], LabelKind.INTENT, "greet", "lea", NOW, choices)
    label_turns(
        session, [b, c], LabelKind.NEW_FAQ, None, "lea", NOW + timedelta(seconds=5), choices
    )
    label_turns(
        session, [a], LabelKind.INTENT, "thanks", "tom", NOW + timedelta(seconds=9), choices
    )

    assert undo_last(session, "lea", NOW + timedelta(minutes=1)) == 2

    assert pending_ids(session) == [b, c]
    assert [(g.editor, g.value) for g in recent_labels(session)] == [("tom", "thanks")]


def test_recent_labels_lists_each_labelling_newest_first_redacted(
    session: Session, choices: LabelChoices
) -> None:
    a = add_turn(session, "commande 482913 annulée ?", doubt="fallback")
    b = add_turn(session, "commande 615024 annulée ?", doubt="fallback")
    c = add_turn(session, "bonjour", doubt="fallback")
    label_turns(session, [a, b], LabelKind.INTENT, "cancel_order", "lea", NOW, choices)
    later = NOW + timedelta(minutes=3)
    label_turns(session, [c], LabelKind.INTENT, "greet", "tom", later, choices)

    newest, oldest = recent_labels(session)

    assert (newest.text, newest.count, newest.editor, newest.labelled_at) == (
        "bonjour",
        1,
        "tom",
        later,
    )
    assert oldest.text == "commande [n° de commande] annulée ?"
    assert (oldest.turn_ids, oldest.kind, oldest.value) == ((a, b), "intent", "cancel_order")
    assert recent_labels(session, limit=1) == [newest]


def test_the_consoles_choices_follow_an_edited_faq_file(tmp_path: Path) -> None:
    folder = tmp_path / "faq"
    folder.mkdir()
    shutil.copy(ROOT / "knowledge" / "faq" / "paiement.yml", folder / "paiement.yml")
    live = LiveChoices(ROOT / "domain.yml", folder)
    before = live.get()
    assert live.get() is before  # nothing changed: not read again
    assert "bijoux_guide_tailles" not in before.faq_ids and "cancel_order" in before.intent_names

    shutil.copy(ROOT / "knowledge" / "faq" / "bijoux.yml", folder / "bijoux.yml")

    after = live.get()
    assert dict(after.faq_entries)["bijoux_guide_tailles"] == "Guide des tailles"
    assert before.faq_ids < after.faq_ids
