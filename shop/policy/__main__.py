"""Check the active shop profile (or the ones given) before anything starts.

    python -m shop.policy [PROFILE ...]

Prints one line per profile; exits 1 with "file: field: reason" when a profile is broken.
"""

from __future__ import annotations

import sys

from shop.policy.profile import (
    ProfileError,
    load_active_profile,
    load_profile,
    resolve_profile_path,
)


def main(argv: list[str]) -> int:
    try:
        profiles = (
            [load_profile(resolve_profile_path(name)) for name in argv]
            if argv
            else [load_active_profile()]
        )
    except ProfileError as error:
        print(f"error: shop profile refused: {error}", file=sys.stderr)
        return 1
    for profile in profiles:
        print(f"shop profile OK: {profile.id} ({profile.display_name})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
