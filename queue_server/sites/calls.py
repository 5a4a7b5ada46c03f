"""The sentence the hall speaks when a number is called, from the site's call template.

An administrator writes the template (``Site.call_template``) with two placeholders,
``{number}`` and ``{counter}``. It is never given to ``str.format``: a template such as
``{number.__class__}``, ``{number!r}`` or ``{counter:>999999999}`` would read attributes of the
values or build a string of a gigabyte. :func:`template_problem` accepts only the bare
placeholders (no format specification, conversion, attribute or index, no other braces) and
at most :data:`TEMPLATE_MAX` characters; :func:`render` replaces the bare placeholders and
leaves everything else as written, so a template stored before the rule existed is spoken as
it is, never evaluated.
"""

from __future__ import annotations

import re
from string import Formatter

from ..placeholders import fill

PLACEHOLDERS = ("number", "counter")
# A spoken sentence of about 20 seconds at most; the admin's field and the API say the same.
TEMPLATE_MAX = 200

_PLACEHOLDER = re.compile(r"\{(number|counter)\}")


def template_problem(template: str) -> str | None:
    """Why ``template`` cannot be a call template, or None if it can."""
    if len(template) > TEMPLATE_MAX:
        return f"The call template may be at most {TEMPLATE_MAX} characters long."
    try:
        fields = [part[1:] for part in Formatter().parse(template) if part[1] is not None]
    except ValueError:  # a brace left open or closed alone
        fields = None
    outside = _PLACEHOLDER.sub("", template)  # what render leaves as written: "{{", "{number:}"...
    if (
        fields is None
        or {name for name, _, _ in fields} != set(PLACEHOLDERS)
        or any(spec or conversion for _, spec, conversion in fields)
        or "{" in outside
        or "}" in outside
    ):
        return "The call template must contain {number} and {counter}, and no other braces."
    return None


def render(template: str, number: str, counter: int | str) -> str:
    """The sentence: each bare ``{number}`` and ``{counter}`` replaced, nothing else touched."""
    return fill(template, {"number": number, "counter": counter})
