"""Install fr_core_news_md without the components the NLU pipeline never reads, as a package.

Rasa's SpacyNLP runs every spaCy component but the parser on each message, yet our pipeline
only uses the tokenizer and the static word vectors (SpacyFeaturizer). The lean copy keeps
exactly those, and none of the 713 000 strings the full pipeline's vocabulary stores (the
words of its 500 000 vector keys, labels, lemmas): spaCy finds a word's vector by the hash of
its text, and adds each text it tokenizes to the strings itself, so the same tokens, vectors
and attributes come out (tests/rasa_components/test_lean_spacy.py), with 160 MB less memory and
1.3 s less load time for each copy in memory.

It is saved to .var/spacy/fr_core_news_md_lean, then packaged (``spacy package``) and installed
into this environment as ``fr_core_news_md_lean``, the name config.yml gives SpacyNLP: a trained
model names no path, so it loads from any working directory and on any host whose set-up ran
this script (scripts/setup.sh does, in ~20 s; a second run only checks the installed package's
identity and returns).

The identity (source package and version, spaCy's version, the components left out) is written
into the package's meta.json; scripts/ensure_model.py puts that file in the model's cache key.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SOURCE = "fr_core_news_md"
PACKAGE = "fr_core_news_md_lean"
TARGET = ROOT / ".var" / "spacy" / PACKAGE
UNUSED = ["tok2vec", "morphologizer", "parser", "attribute_ruler", "lemmatizer", "ner", "senter"]
STRINGS = "none stored"  # how the vocabulary's strings are saved: part of the identity


def wanted_identity() -> dict[str, Any]:
    """What the installed lean package must have been built from (read without spaCy)."""
    return {
        "source": SOURCE,
        "source_version": importlib.metadata.version(SOURCE),
        "spacy_version": importlib.metadata.version("spacy"),
        "excluded": UNUSED,
        "strings": STRINGS,
    }


def installed_meta_path() -> Path | None:
    """The meta.json of the installed lean package, found without importing it or spaCy."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    metas = sorted(Path(next(iter(spec.submodule_search_locations))).glob("*/meta.json"))
    return metas[0] if len(metas) == 1 else None


def installed_identity() -> dict[str, Any] | None:
    path = installed_meta_path()
    if path is None:
        return None
    lean = json.loads(path.read_text()).get("lean")
    return lean if isinstance(lean, dict) else None


def is_up_to_date() -> bool:
    return installed_identity() == wanted_identity()


def build_and_install() -> None:
    import spacy

    identity = wanted_identity()
    nlp = spacy.load(SOURCE, exclude=UNUSED)
    nlp.meta["name"] = PACKAGE.removeprefix(f"{nlp.lang}_")  # spaCy prefixes the language
    nlp.meta["description"] = (
        f"{SOURCE} {identity['source_version']} with its tokenizer and static vectors only "
        "(scripts/make_lean_spacy.py)."
    )
    nlp.meta["lean"] = identity
    if TARGET.exists():
        shutil.rmtree(TARGET)
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(TARGET)
    (TARGET / "vocab" / "strings.json").write_text("[]\n")
    with tempfile.TemporaryDirectory(prefix="lean-spacy-") as out:
        subprocess.run(
            [sys.executable, "-m", "spacy", "package", str(TARGET), out, "--build", "none"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        (source_tree,) = Path(out).iterdir()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--quiet",
                "--no-deps",
                "--no-index",
                "--no-build-isolation",
                "--force-reinstall",
                str(source_tree),
            ],
            check=True,
        )
    importlib.invalidate_caches()
    if not is_up_to_date():
        raise RuntimeError(f"{PACKAGE} was installed but its meta.json does not match")
    print(f"==> lean spaCy model installed as the package {PACKAGE} (components: none)")


def ensure() -> None:
    """Build and install the lean package unless the installed one has the wanted identity."""
    if not is_up_to_date():
        build_and_install()


def main() -> int:
    ensure()
    return 0


if __name__ == "__main__":
    sys.exit(main())
