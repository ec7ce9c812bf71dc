"""kitland's words for people: one message catalogue, Bahasa Indonesia and English.

Messages are written in English in the code and looked up in a gettext catalogue
(``kitland/locale/<lang>/LC_MESSAGES/kitland.po``), read with Babel. A message missing
from a catalogue is shown in English. Numbers are formatted by Babel's locale data, so
a map, a report and the command line write ``19,52 ha`` the same way in Indonesian.

>>> tr("en", "zone")
'zone'
>>> number(1234.5, "id", 1)
'1.234,5'
>>> number(1234.5, "en", 1)
'1,234.5'
"""

from __future__ import annotations

import functools
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LANGS = ("id", "en")
"""Languages kitland speaks; ``id`` (Bahasa Indonesia) is the default for maps."""

_LOCALE_DIR = Path(__file__).parent / "locale"
_DOMAIN = "kitland"


def catalogue_path(lang: str) -> Path:
    """Where the ``.po`` catalogue for ``lang`` lives."""
    return _LOCALE_DIR / lang / "LC_MESSAGES" / f"{_DOMAIN}.po"


@functools.cache
def catalogue(lang: str) -> Catalog | None:
    """The catalogue for ``lang``, or None for English (the messages themselves)."""
    path = catalogue_path(lang)
    if lang == "en" or not path.exists():
        return None
    with path.open("rb") as fh:
        return read_po(fh, locale=lang, domain=_DOMAIN)


def tr(lang: str, message: str) -> str:
    """``message`` in ``lang`` (English when the catalogue has no translation)."""
    cat = catalogue(lang)
    if cat is None:
        return message
    entry = cat.get(message)
    if entry is None or not entry.string or entry.fuzzy:
        return message
    return str(entry.string)


def number(value: float, lang: str, decimals: int = 0) -> str:
    """``value`` with ``decimals`` decimals and the grouping of ``lang``'s locale."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(value, format=pattern, locale=Locale.parse(lang))
