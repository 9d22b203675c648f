"""How French shoppers and agents write dates, hours, amounts, delays and lists.

One module so that every text agrees: « mardi 24 novembre à 13h », « 12h30 », « 12,50 € »,
« sous 7 à 15 jours ouvrés », « a, b et c ». Hours follow the shops' own pages (« avant 13h le
jour même », « à 13h05 »): no « h00 » for a whole hour. Pure functions of plain values: the
caller converts an instant to the shop's local time first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time

DAY_NAMES = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTH_NAMES = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
NARROW_NO_BREAK_SPACE = "\u202f"
NO_BREAK_SPACE = "\u00a0"


def format_date(day: date | str) -> str:
    """ "mardi 24 novembre": weekday, day and month, as shoppers say it."""
    value = date.fromisoformat(day) if isinstance(day, str) else day
    return f"{DAY_NAMES[value.weekday()]} {value.day} {MONTH_NAMES[value.month - 1]}"


def format_time(moment: time | datetime) -> str:
    """ "13h", "12h30", "9h05": how French shops write a time of day."""
    return f"{moment.hour}h{moment.minute:02d}" if moment.minute else f"{moment.hour}h"


def format_day_and_time(local: datetime) -> str:
    """ "mardi 24 novembre à 13h", for a datetime already in the shop's local time."""
    return f"{format_date(local.date())} à {format_time(local)}"


def format_count(value: int) -> str:
    """ "12 345" (narrow no-break space between thousands)."""
    return f"{value:,}".replace(",", NARROW_NO_BREAK_SPACE)


def format_amount(cents: int) -> str:
    """ "12,50 €", "1 250,00 €"."""
    euros, rest = divmod(abs(cents), 100)
    sign = "-" if cents < 0 else ""
    return f"{sign}{format_count(euros)},{rest:02d}{NO_BREAK_SPACE}€"


def format_percent(rate: float) -> str:
    """ "42 %" for 0.42 (no-break space before the sign)."""
    return f"{rate * 100:.0f}{NO_BREAK_SPACE}%"


def format_days(minimum: int, maximum: int, unit: str) -> str:
    """ "14 jours", "7 à 15 jours ouvrés", "1 jour ouvré" (``unit`` "working" or calendar)."""
    suffix = "jours ouvrés" if unit == "working" else "jours"
    if maximum <= 1:
        suffix = "jour ouvré" if unit == "working" else "jour"
    if minimum in (0, maximum):
        return f"{maximum} {suffix}"
    return f"{minimum} à {maximum} {suffix}"


def format_delay(minimum: int, maximum: int, unit: str) -> str:
    """ "sous 14 jours", "sous 7 à 15 jours ouvrés": within how long something happens."""
    return f"sous {format_days(minimum, maximum, unit)}"


def format_duration(days: int) -> str:
    """ "90 jours", "1 an", "2 ans": how long something stays valid."""
    if days % 365 == 0:
        years = days // 365
        return "1 an" if years == 1 else f"{years} ans"
    return f"{days} jours"


def join_words(items: Sequence[str], last: str = "et") -> str:
    """ "a, b et c" (or "a ou b" with ``last="ou"``)."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {last} " + items[-1]


def bullets(items: Iterable[str]) -> list[str]:
    """One line per item, each after a bullet, as the widget shows lists."""
    return [f"• {item}" for item in items]


def format_weekly_hours(slots_by_day: Mapping[int, Sequence[tuple[time, time]]]) -> str:
    """ "du lundi au jeudi de 9h à 12h30 et de 13h30 à 18h, le vendredi de 9h à 17h".

    ``slots_by_day``: weekday (0 is Monday) → its opening slots; consecutive days with the
    same slots are grouped, as a shop would print them.
    """
    groups: list[tuple[int, int, tuple[tuple[time, time], ...]]] = []
    for day in range(len(DAY_NAMES)):
        slots = tuple(slots_by_day.get(day, ()))
        if not slots:
            continue
        if groups and groups[-1][1] == day - 1 and groups[-1][2] == slots:
            groups[-1] = (groups[-1][0], day, slots)
        else:
            groups.append((day, day, slots))
    parts = []
    for first, last, slots in groups:
        if first == last:
            days = f"le {DAY_NAMES[first]}"
        elif last == first + 1:
            days = f"le {DAY_NAMES[first]} et le {DAY_NAMES[last]}"
        else:
            days = f"du {DAY_NAMES[first]} au {DAY_NAMES[last]}"
        hours = [f"de {format_time(start)} à {format_time(end)}" for start, end in slots]
        parts.append(f"{days} {join_words(hours)}")
    return ", ".join(parts)
