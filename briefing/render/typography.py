"""Typographic care shared by the renderers."""

import re

_NUMBER_AND_UNIT = re.compile(r"(\d) ([%‰°€$£])")


def bind_units(text: str) -> str:
    """'45 %' never breaks between the number and its unit (a no-break space)."""
    return _NUMBER_AND_UNIT.sub("\\1\u00a0\\2", text)
