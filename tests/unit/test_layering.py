"""The walls between the rooms of the product hold, and a breach of any of them is caught.

The contracts live in ``.importlinter`` (import-linter): front doors above the use cases,
above the rules and the FAQ, above the store, above the pure helpers; ``shop`` without Rasa,
rasa_sdk, Sanic, FastAPI or Starlette; the actions through ``shop.assistant`` only; the bot's
storage adapters the only part of the bot that writes into the store; the rules on plain data,
never the store's rows. The breaches are played
on a skeleton of the same packages in a temporary folder, checked with the real contracts.
"""

from __future__ import annotations

import configparser
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
FORBIDDEN = ("rasa", "rasa_sdk", "fastapi", "starlette", "desk", "actions", "bot")
IMPORT_ALL = f"""
import importlib, pkgutil, sys
import shop
for module in pkgutil.walk_packages(shop.__path__, "shop."):
    importlib.import_module(module.name)
roots = {{name.split(".")[0] for name in sys.modules}}
print(" ".join(sorted(roots & set({FORBIDDEN!r}))))
"""

# The skeleton: every module the contracts name, and the imports the product makes across the
# walls on purpose (the bot's storage adapters, the actions through the assistant, the
# dashboard's figures reading the store and the redaction of unanswered questions).
SKELETON_IMPORTS = {
    "desk.app": ["shop.assistant", "shop.store.repository", "shop.policy.profile"],
    "actions.identity": ["shop.assistant", "shop.kinds"],
    "actions.faq": ["shop.assistant", "shop.knowledge.store", "rasa_sdk"],
    "bot.faq_selector": ["shop.knowledge.text", "rasa"],
    "bot.tracker_store": ["bot.turn_recorder", "shop.store.db", "shop.store.learning"],
    "bot.turn_recorder": ["shop.store.learning", "shop.clock"],
    "shop.assistant": [
        "shop.policy.cancellation",
        "shop.store.repository",
        "shop.clock",
        "shop.order_numbers",
    ],
    "shop.sources.ingest": ["shop.store.repository", "shop.policy.profile"],
    "shop.learning.grouping": ["shop.learning.pii"],
    "shop.learning.pii": ["shop.knowledge.text", "shop.log_privacy"],
    "shop.privacy.subject": ["shop.store.repository", "shop.learning.pii"],
    "shop.knowledge.store": ["shop.policy.profile"],
    "shop.knowledge.text": [],
    "shop.policy.profile": ["shop.kinds"],
    "shop.policy.cancellation": ["shop.policy.decision", "shop.policy.views", "shop.kinds"],
    "shop.policy.views": ["shop.kinds"],
    **{
        f"shop.policy.{rule}": ["shop.policy.decision", "shop.policy.views"]
        for rule in ("lost_parcel", "promo", "resizing", "returns", "tracking")
    },
    "shop.policy.decision": [],
    "shop.store.repository": ["shop.store.models", "shop.clock", "shop.order_numbers"],
    "shop.store.models": ["shop.kinds"],
    "shop.store.db": ["shop.private_files", "sqlalchemy"],
    "shop.store.learning": ["shop.store.models"],
    "shop.learning.dashboard_metrics": [
        "shop.learning.grouping",
        "shop.learning.pii",
        "shop.privacy.subject",
        "shop.store.learning",
    ],
    "shop.kinds": [],
    "shop.clock": ["shop.settings"],
    "shop.log_privacy": [],
    "shop.private_files": [],
    "shop.order_numbers": [],
    "shop.waiting": [],
    "shop.gc_pauses": [],
    "shop.voice.catalogue": [],
    "shop.settings": [],
}


def run_lint_imports(cwd: Path, config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(config), "--no-cache"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(cwd), "COLUMNS": "200"},
    )


def write_skeleton(folder: Path, breach: tuple[str, str] | None = None) -> Path:
    """The packages the contracts speak of, importing what the product imports (plus a breach),
    and a copy of the real contracts."""
    imports = {module: list(targets) for module, targets in SKELETON_IMPORTS.items()}
    if breach is not None:
        imports.setdefault(breach[0], []).append(breach[1])
    for module, targets in imports.items():
        parts = module.split(".")
        for depth in range(1, len(parts)):
            package = folder.joinpath(*parts[:depth])
            package.mkdir(exist_ok=True)
            (package / "__init__.py").touch()
        lines = [f"import {target}\n" for target in targets]
        folder.joinpath(*parts[:-1], f"{parts[-1]}.py").write_text("".join(lines))
    config = folder / ".importlinter"
    config.write_text((ROOT / ".importlinter").read_text(encoding="utf-8"), encoding="utf-8")
    return config


def test_the_product_keeps_every_import_contract() -> None:
    result = run_lint_imports(ROOT, ROOT / ".importlinter")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_contracts_name_every_top_package_of_the_product() -> None:
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter", encoding="utf-8")
    roots = config["importlinter"]["root_packages"].split()
    assert sorted(roots) == ["actions", "bot", "desk", "shop"]
    contracts = [name for name in config.sections() if name.startswith("importlinter:contract:")]
    assert len(contracts) == 5


def test_the_skeleton_without_a_breach_keeps_the_contracts(tmp_path: Path) -> None:
    result = run_lint_imports(tmp_path, write_skeleton(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("importer", "imported", "contract"),
    [
        ("shop.store.repository", "shop.policy.decision", "then the store"),
        ("shop.policy.cancellation", "shop.assistant", "then the store"),
        ("shop.store.models", "shop.learning.pii", "then the store"),
        ("shop.kinds", "shop.store.models", "then the store"),
        ("shop.voice.catalogue", "shop.policy.profile", "then the store"),
        ("shop.settings", "shop.clock", "then the store"),
        ("shop.assistant", "desk.app", "then the store"),
        ("desk.app", "actions.identity", "then the store"),
        ("shop.policy.decision", "rasa_sdk", "no front door framework"),
        ("shop.store.db", "fastapi", "no front door framework"),
        ("shop.knowledge.text", "starlette", "no front door framework"),
        ("shop.clock", "rasa", "no front door framework"),
        ("actions.identity", "shop.store.repository", "only through shop.assistant"),
        ("actions.faq", "shop.policy.profile", "only through shop.assistant"),
        ("bot.faq_selector", "shop.store.db", "storage adapters"),
        ("shop.policy.cancellation", "shop.store.models", "plain data"),
        ("shop.policy.views", "sqlalchemy", "plain data"),
    ],
)
def test_a_breach_of_a_wall_breaks_its_contract(
    tmp_path: Path, importer: str, imported: str, contract: str
) -> None:
    result = run_lint_imports(tmp_path, write_skeleton(tmp_path, (importer, imported)))
    assert result.returncode == 1, result.stdout + result.stderr
    report = " ".join(result.stdout.split())
    broken = report.split("Broken contracts", 1)[-1]
    assert contract in broken, report
    assert f"{importer} -> {imported}" in broken, report
    assert "1 broken" in report


def test_no_module_of_shop_imports_a_front_door_or_its_framework() -> None:
    """Imported for real, so an import made at run time (inside a function) is caught too."""
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.split() == []
