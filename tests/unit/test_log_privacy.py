"""Personal data never reaches a log line, whatever logs it and however it is formatted."""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from shop import log_privacy
from shop.log_privacy import PersonalDataFilter, mask

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def record_factory() -> Iterator[None]:
    """Put back the process's record factory (install() replaces it)."""
    saved = logging.getLogRecordFactory()
    try:
        yield
    finally:
        logging.setLogRecordFactory(saved)


def _logger(name: str, *, with_filter: bool) -> tuple[logging.Logger, io.StringIO]:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    if with_filter:
        handler.addFilter(PersonalDataFilter())
    logger = logging.getLogger(f"tests.log_privacy.{name}")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    return logger, out


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        (
            "mon e-mail : Jean.Dupont+bijoux@exemple-mail.fr merci",
            "Jean.Dupont+bijoux@exemple-mail.fr",
        ),
        ("GET /api/orders?email=jean%40exemple.fr HTTP/1.1", "jean%40exemple.fr"),
        ("ma commande 474918 n'est pas arrivée", "474918"),
        ("commande 482 913", "482 913"),
        ("c'est la 48 29 13, merci", "48 29 13"),
        ("rappelez-moi au 06 12 34 56 78", "06 12 34 56 78"),
        ("rappelez-moi au +33 6 12 34 56 78", "+33 6 12 34 56 78"),
        ("appelez le 0612345678.", "0612345678"),
        ("mon IBAN FR76 3000 6000 0112 3456 7890 189", "3000 6000 0112 3456 7890 189"),
        ("IBAN FR7630006000011234567890189", "FR7630006000011234567890189"),
        ("ma carte 5555 5555 5555 4444 est refusée", "5555 5555 5555 4444"),
        ("carte 4111-1111-1111-1111 exp 12/28", "4111-1111-1111-1111"),
        (
            '"WebSocket /ws/T-hqe4Z1nXgIZAZmOB_QNxQfzd13a62Z?after=0"',
            "T-hqe4Z1nXgIZAZmOB_QNxQfzd13a62Z",
        ),
        ("sender 'e2e-0123456789ab'", "e2e-0123456789ab"),
        ("conversation aBcDeFgHiJkLmNoPqRsTuVwX ouverte", "aBcDeFgHiJkLmNoPqRsTuVwX"),
        ("GET /status?token=s3cr3t-t0ken&x=1", "s3cr3t-t0ken"),
    ],
)
def test_finding_14_each_kind_of_personal_data_is_masked(text: str, secret: str) -> None:
    masked = mask(text)
    assert secret not in masked and ">" in masked


@pytest.mark.parametrize(
    "line",
    [
        '"GET /api/chat/onlylowercaseletters/messages?after=0 HTTP/1.1" 200',
        '"WebSocket /ws/ONLYCAPITALS?after=0" [accepted]',
        '"GET /console/conversations/court HTTP/1.1" 200',
    ],
)
def test_finding_03_an_id_in_a_desk_path_is_masked_whatever_its_shape(line: str) -> None:
    """A path names a conversation however its id is spelled (an old or hand-typed one)."""
    masked = mask(line)
    assert "<id>" in masked
    assert not any(word in masked for word in ("onlylowercaseletters", "ONLYCAPITALS", "court"))


def test_log_lines_stay_readable_for_developers() -> None:
    line = (
        "2026-12-02 07:13:56,955 INFO rasa.core.processor action_ask_order_number "
        "CountFreeSQLTrackerStore confidence 0.123456, 0.9950084706216389, Python 3.10.13, "
        "port 5055, "
        "worker [28649], model /srv/.var/models/2d0c0aa54cf19c56.tar.gz"
    )
    assert mask(line) == line


def test_finding_14_message_and_arguments_are_masked_by_the_filter() -> None:
    logger, out = _logger("arguments", with_filter=True)
    logger.info("order %s for %s", "474918", "jean@exemple.fr")
    logger.info("order %d", 474918)
    logger.info("%(who)s wrote", {"who": "jean@exemple.fr"})
    logger.warning("parsed: {'text': 'ma commande 474918, jean@exemple.fr'}")
    try:
        raise ValueError("unknown e-mail jean@exemple.fr")
    except ValueError:
        logger.exception("lookup failed for %s", "474918")
    written = out.getvalue()
    assert "474918" not in written and "jean@exemple.fr" not in written
    assert "order <order> for <email>" in written and "order <order>\n" in written
    assert "<email> wrote" in written and "ValueError: unknown e-mail <email>" in written


def test_clean_arguments_keep_their_shape_for_formatters_that_read_them() -> None:
    """uvicorn's access formatter unpacks the record's five arguments."""
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/ws/T-hqe4Z1nXgIZAZmOB_QNxQfzd13a62Z", "1.1", 200),
        None,
    )
    PersonalDataFilter().filter(record)
    assert record.args == ("127.0.0.1:5000", "GET", "/ws/<id>", "1.1", 200)
    assert record.getMessage() == '127.0.0.1:5000 - "GET /ws/<id> HTTP/1.1" 200'


def test_finding_14_install_masks_records_for_handlers_added_later(record_factory: None) -> None:
    """Rasa, Sanic and uvicorn add their own handlers after the process starts."""
    log_privacy.install()
    log_privacy.install()
    logger, out = _logger("installed", with_filter=False)
    logger.debug("Received user message 'ma commande 474918, jean@exemple.fr'")
    assert out.getvalue() == "DEBUG Received user message 'ma commande <order>, <email>'\n"


def test_finding_14_rasa_logging_config_masks_every_record() -> None:
    """Rasa reads the file, then installs its coloured stderr handler; a config it cannot apply
    is ignored without a word, so this runs Rasa's own set-up in a fresh interpreter."""
    script = (
        "import logging\n"
        "from rasa.utils.common import configure_logging_and_warnings\n"
        "from rasa.utils.io import configure_colored_logging\n"
        "configure_logging_and_warnings(logging.DEBUG, 'scripts/rasa_logging.yml')\n"
        "configure_colored_logging('DEBUG')\n"
        "logging.getLogger('rasa.core.processor').debug(\n"
        "    \"slots {'order_email': 'jean@exemple.fr', 'order_number': '474918'}\")\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert "slots {'order_email': '<email>', 'order_number': '<order>'}" in result.stderr
    assert "jean@exemple.fr" not in result.stderr and "474918" not in result.stderr
