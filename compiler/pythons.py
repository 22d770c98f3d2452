"""Python versions: what a PYENV's `<python-version>` word may be, which official image it
names, whether that image exists for a Debian flavour, and whether the version is past its
end of life.

In: the version word as written. Out: a `PythonVersion` or the reason it is not one.
"""

from __future__ import annotations

import datetime
import re
from typing import Optional, Union

import attrs

# 3.Y, 3.Y.Z, with an optional pre-release (3.14.0rc1, 3.13.0b2, 3.14.0a1)
_VERSION = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?((?:a|b|rc)\d+)?\Z")

# End of life of each minor version (PEP 602 dates; the last day of security support).
EOL: dict[int, datetime.date] = {
    5: datetime.date(2020, 9, 30),
    6: datetime.date(2021, 12, 23),
    7: datetime.date(2023, 6, 27),
    8: datetime.date(2024, 10, 7),
    9: datetime.date(2025, 10, 31),
    10: datetime.date(2026, 10, 31),
    11: datetime.date(2027, 10, 31),
    12: datetime.date(2028, 10, 31),
    13: datetime.date(2029, 10, 31),
    14: datetime.date(2030, 10, 31),
}

# Which minor versions the official `python` image publishes for a flavour: (first, last),
# last None when still published. Flavours not listed are not checked.
FLAVOUR_MINORS: dict[str, tuple[int, Optional[int]]] = {
    "slim-bookworm": (7, None),
    "bookworm": (7, None),
    "slim-bullseye": (6, 13),
    "bullseye": (6, 13),
}


@attrs.frozen
class PythonVersion:
    text: str  # as written: "3.11", "3.11.4", "3.14.0rc1"
    major: int
    minor: int

    @property
    def major_minor(self) -> str:
        return f"{self.major}.{self.minor}"

    @property
    def needs_m_symlink(self) -> bool:
        """Python < 3.8 named its include directory `pythonX.Ym`."""
        return (self.major, self.minor) < (3, 8)

    def image(self, flavour: str) -> str:
        return f"python:{self.text}-{flavour}"


def parse_version(text: str) -> Union[PythonVersion, str]:
    """The version, or a message saying what is wrong (`"python2"` for Python 2)."""
    match = _VERSION.match(text)
    if not match:
        if text.startswith("2") and re.match(r"2(\.\d+)*\Z", text):
            return "python2"
        return "malformed"
    major, minor = int(match.group(1)), int(match.group(2))
    if major == 2:
        return "python2"
    if major != 3:
        return "malformed"
    return PythonVersion(text, major, minor)


def image_exists(version: PythonVersion, flavour: str) -> bool:
    """False where the official image is known not to exist (3.6 on bookworm, 3.2 anywhere)."""
    if version.minor < 3:  # no venv module before 3.3, and no such images
        return False
    bounds = FLAVOUR_MINORS.get(flavour)
    if bounds is None:
        return True
    first, last = bounds
    return version.minor >= first and (last is None or version.minor <= last)


def end_of_life(version: PythonVersion, today: Optional[datetime.date] = None) -> Optional[datetime.date]:
    """The end-of-life date when it has passed, else None."""
    eol = EOL.get(version.minor)
    if eol is None:
        return EOL[5] if version.minor < 5 else None
    if (today or datetime.date.today()) > eol:
        return eol
    return None
