"""One entity per thing the shopper wrote, for the identifiers the actions look up.

Two extractors read every message: DIET (learnt, finds codes and numbers it never saw) and the
regexes of ``bot/data/nlu.yml`` (exact formats). They disagree on the edges of what they find:

- « N°275 938 » : the regex finds ``275938``, DIET finds ``275`` and ``938`` besides;
- « le code FETE-PERES » : DIET splits the code at the hyphen, into ``FETE`` and ``PERES``, or
  keeps only ``FETE-``;
- « bague 65 -> 68 » : DIET's span takes the hyphen: ``65-``;
- « bonjouuur » : DIET takes an unknown word for a promo code;
- « un avoir de 40 € » : DIET takes an amount for a ring size;
- « code NOEL-30 » : DIET takes the ``30`` of the code for an order number.

The actions take the first valid value of a slot, so a piece (``FETE``) or a stray word would be
looked up in place of the code. This component, placed after the extractors and before the
synonym mapper, keeps one entity per identifier: pieces the shopper wrote joined are merged,
a code is the whole word it sits in, an entity inside a longer one is dropped, values are
written the way the store keeps them, a promo code without a digit is kept only when it looks
like one, and a ring size only when it is one (French sizes run from about 44 to 76).
"""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.components import StatelessComponent

Entity = dict[str, Any]

# What may separate two pieces of one identifier: « 275 938 », « FETE-PERES », « ete_20 ».
JOINED_BY = {
    "order_number": re.compile(r"[ .-]?"),
    "promo_code": re.compile(r"[-_]?"),
}
# Only digits count in an order number (« n°482 913 », « #482913 ») and a ring size (« 54- »).
DIGITS_ONLY = {"order_number": re.compile(r"\D"), "ring_size": re.compile(r"[^\d,.]|[,.]$")}
RING_SIZES = (44.0, 76.0)
PROMO_CONTEXT = re.compile(r"\b(?:codes?|coupons?|promo|r[ée]duc\w*|remise|voucher|discount)\b")
# « le code de parrainage », « code d'anniversaire »: the word after « de » is a kind of code.
KIND_OF_CODE = re.compile(r"\bcodes?\s+(?:de|d'|d’|du)\s*$")
REGEX_EXTRACTOR = "RegexEntityExtractor"
# The characters of a promo code: a code found inside a word is that whole word.
CODE_CHARACTER = re.compile(r"[\w-]")


def clean(text: str, entities: list[Entity]) -> list[Entity]:
    """The entities of one message, merged, deduplicated and normalised (see module doc)."""
    kept = _merge_pieces(text, entities)
    kept = [_whole_code(text, entity) for entity in kept]
    kept = _drop_contained(kept)
    kept = [_normalised(entity) for entity in kept]
    return [entity for entity in kept if entity["value"] and _plausible(text, entity)]


def _merge_pieces(text: str, entities: list[Entity]) -> list[Entity]:
    ordered = sorted(entities, key=lambda entity: (entity.get("start", 0), entity.get("end", 0)))
    merged: list[Entity] = []
    for entity in ordered:
        previous = _last_piece_of(merged, entity)
        gap = text[previous["end"] : entity["start"]] if previous else None
        joiner = JOINED_BY.get(entity["entity"])
        if previous and joiner and gap is not None and joiner.fullmatch(gap):
            previous["end"] = entity["end"]
            previous["value"] = text[previous["start"] : previous["end"]]
            previous["processors"] = [*previous.get("processors", []), "EntityCleanup"]
            continue
        merged.append(dict(entity))
    return merged


def _whole_code(text: str, entity: Entity) -> Entity:
    """« FETE- » found in « FETE-MERES » is « FETE-MERES »."""
    if entity["entity"] != "promo_code" or "start" not in entity:
        return entity
    start, end = entity["start"], entity["end"]
    while start > 0 and CODE_CHARACTER.match(text[start - 1]):
        start -= 1
    while end < len(text) and CODE_CHARACTER.match(text[end]):
        end += 1
    if (start, end) == (entity["start"], entity["end"]):
        return entity
    processors = [*entity.get("processors", []), "EntityCleanup"]
    value = text[start:end].strip("-")
    return {**entity, "start": start, "end": end, "value": value, "processors": processors}


def _last_piece_of(merged: list[Entity], entity: Entity) -> Entity | None:
    """The last entity before ``entity`` of the same kind and from the same extractor."""
    if "start" not in entity:
        return None
    for previous in reversed(merged):
        if (
            previous["entity"] == entity["entity"]
            and previous.get("extractor") == entity.get("extractor")
            and previous.get("end", entity["start"] + 1) <= entity["start"]
        ):
            return previous
    return None


def _drop_contained(entities: list[Entity]) -> list[Entity]:
    """Drop an entity whose span lies inside a longer one (« 30 » as an order number inside
    the code « NOEL-30 »), or inside an equal span of the same kind or found by the regex (an
    exact format: an e-mail address DIET also took for an order number stays an e-mail)."""

    def rank(entity: Entity) -> tuple[int, int]:
        length = entity.get("end", 0) - entity.get("start", 0)
        return length, entity.get("extractor") == REGEX_EXTRACTOR

    kept: list[Entity] = []
    for entity in sorted(entities, key=rank, reverse=True):
        inside = any(
            "start" in other
            and "start" in entity
            and other["start"] <= entity["start"]
            and entity["end"] <= other["end"]
            and (other["entity"] == entity["entity"] or rank(other) > rank(entity))
            for other in kept
        )
        if not inside:
            kept.append(entity)
    return sorted(kept, key=lambda entity: entity.get("start", 0))


def _normalised(entity: Entity) -> Entity:
    pattern = DIGITS_ONLY.get(entity["entity"])
    value = entity.get("value")
    if pattern is None or not isinstance(value, str) or not any(c.isdigit() for c in value):
        return entity
    cleaned = pattern.sub("", value)
    if cleaned == value:
        return entity
    processors = [*entity.get("processors", []), "EntityCleanup"]
    return {**entity, "value": cleaned, "processors": processors}


def _plausible(text: str, entity: Entity) -> bool:
    """A ring size is in the range of ring sizes. A promo code has a digit, or is written in
    capitals, or the message speaks of a code, unless it names the kind of code (« code de
    parrainage »)."""
    if entity["entity"] == "ring_size":
        return _is_ring_size(entity["value"])
    if entity["entity"] != "promo_code" or entity.get("extractor") == REGEX_EXTRACTOR:
        return True
    value = str(entity["value"])
    if any(char.isdigit() for char in value) or (value.isupper() and len(value) >= 3):
        return True
    before = text[: entity["start"]].lower() if "start" in entity else ""
    if KIND_OF_CODE.search(before):
        return False
    return bool(PROMO_CONTEXT.search(text.lower()))


def _is_ring_size(value: Any) -> bool:
    try:
        size = float(str(value).replace(",", "."))
    except ValueError:
        return True  # « cinquante-quatre »: the form's validation asks for digits
    return RING_SIZES[0] <= size <= RING_SIZES[1]


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class EntityCleanup(StatelessComponent):
    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            entities = message.get(ENTITIES) or []
            if entities:
                message.set(ENTITIES, clean(message.get(TEXT) or "", entities), add_to_output=True)
        return messages
