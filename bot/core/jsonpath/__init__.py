"""kubectl's JSONPath dialect (``-o jsonpath=``, ``custom-columns``, ``--sort-by``), parsed and
evaluated without I/O.

It is not RFC 9535: templates mix literal text with ``{actions}``, ``{range X}...{end}`` loops,
``{"\\n"}`` literals, filters ``[?(@.a=="b")]`` (no ``&&``), unions ``[0,1]``, slices with steps
and ``..`` descent; missing keys print nothing, as with kubectl's ``AllowMissingKeys(true)``.
Values print as kubectl prints them: strings raw, maps and lists as compact JSON, one space
between the values of one action.

Hostile templates stay cheap: the template's length and nesting are capped, and evaluation
counts the values it produces and stops at a budget, so no input makes it recursive without
bound or quadratic without limit.

``nodes`` holds the parsed template's records, ``parser`` reads a template into them,
``evaluator`` walks them over a decoded object, and ``printing`` writes values as Go does.
"""

from bot.core.jsonpath.evaluator import execute, find
from bot.core.jsonpath.nodes import Template
from bot.core.jsonpath.parser import parse, relaxed
from bot.core.jsonpath.printing import go_json, go_sprint

__all__ = ["Template", "execute", "find", "go_json", "go_sprint", "parse", "relaxed"]
