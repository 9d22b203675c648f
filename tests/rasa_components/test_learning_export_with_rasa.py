"""The review inbox's export accepted by Rasa itself: `rasa data validate` on the project's
training data with the export added gives not one more warning. Rasa runs in a subprocess (tens
of seconds), so this test sits here rather than beside the export's others in tests/unit."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from sqlalchemy.orm import Session

from shop.learning.export import export_reviewed
from shop.store.learning import LabelKind
from tests.unit import test_learning_export as export_tests

ROOT = export_tests.ROOT
NOW = export_tests.NOW
Labeller = export_tests.Labeller
# The export tests' fixtures: a seeded SQLite store and an editor labelling turns.
choices = export_tests.choices
database = export_tests.database
sessions = export_tests.sessions
session = export_tests.session
label = export_tests.label


def rasa_data_validate(project: Path, *data: str) -> set[str]:
    """Run ``rasa data validate`` in ``project``; its warnings (it fails on errors)."""
    result = subprocess.run(
        [
            str(ROOT / ".venv" / "bin" / "rasa"),
            "data",
            "validate",
            "--config",
            str(ROOT / "config.yml"),
            "--domain",
            "domain.yml",
            "--data",
            *data,
        ],
        cwd=project,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    output = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)
    return {
        line.split("UserWarning: ", 1)[1] for line in output.splitlines() if "UserWarning: " in line
    }


def test_rasa_accepts_the_export_with_the_projects_training_data(
    session: Session, label: Labeller, tmp_path: Path
) -> None:
    label(LabelKind.INTENT, "cancel_order", "annulez ma commande 482913, mail a.b@free.fr svp")
    label(LabelKind.INTENT, "track_order", *(f"où en est le colis {n} ?" for n in range(10)))
    label(LabelKind.FAQ, "livraison_delais", "ça arrive quand en général ?")
    label(LabelKind.OUT_OF_SCOPE, None, "vous vendez des vélos ?")
    label(
        LabelKind.INTENT, "inform", "mon tel 06 98 76 54 32, rib FR14 2004 1010 0505 0001 3M02 606"
    )
    label(
        LabelKind.INTENT,
        "lost_parcel",
        *(
            f"{kind} livrée par {carrier} {date}, jamais reçue, code NOEL20, taille {size}"
            for kind, carrier, date, size in [
                ("ma bague", "La Poste", "hier", 54),
                ("mes boucles d'oreilles", "Mondial Relay", "le 3 mars", 60),
                ("une montre", "colissimo", "il y a 3 jours", 48),
                ("l'alliance", "Chronopost", "lundi dernier", 70),
            ]
        ),
    )
    label(LabelKind.NEW_FAQ, None, "vous livrez en Suisse ?")
    project = tmp_path / "project"
    shutil.copytree(ROOT / "bot" / "data", project / "bot" / "data")
    shutil.copy(ROOT / "domain.yml", project / "domain.yml")
    before = rasa_data_validate(project, "bot/data")

    report = export_reviewed(session, project, NOW, heldout_share=3)
    after = rasa_data_validate(project, "bot/data", "tests/nlu/reviewed_heldout.yml")

    assert report.training > 0 and report.heldout > 0
    assert after == before  # accepted, and not one more warning
