"""kubectl describe's writer and its multi-line field printers (labels, annotations, taints).

kubectl's ``PrefixWriter`` prepends two spaces per level to each write; cells are separated by
tabs and aligned once at the end by Go's tabwriter (``bot.core.tabwriter``).
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.core import kube
from bot.core.kube import Obj

MAX_ANNOTATION_LEN = 140


class Out:
    """kubectl's ``prefixWriter``: each ``write`` is prefixed with two spaces per level."""

    def __init__(self) -> None:
        self._parts: list[str] = []

    def write(self, level: int, text: str) -> None:
        """Write ``text`` (tabs separate cells) after ``level`` indentation steps, escaped as
        kubectl's writer escapes it (``kube.terminal_safe``)."""
        self._parts.append("  " * level + kube.terminal_safe(text))

    def line(self, text: str) -> None:
        """``WriteLine``: the text and a newline, no indentation."""
        self._parts.append(text + "\n")

    def text(self) -> str:
        """Everything written so far, before alignment."""
        return "".join(self._parts)


def labels_multiline(out: Out, title: str, labels: Mapping[str, str]) -> None:
    """``printLabelsMultiline``: one ``k=v`` per line, sorted, ``<none>`` when empty."""
    out.write(0, f"{title}:\t")
    if not labels:
        out.line("<none>")
        return
    for i, key in enumerate(sorted(labels)):
        if i:
            out.write(0, "\t")
        out.write(0, f"{key}={labels[key]}\n")


def annotations_multiline(out: Out, title: str, annotations: Mapping[str, str]) -> None:
    """``printAnnotationsMultiline``: sorted, long or multi-line values wrapped and shortened."""
    out.write(0, f"{title}:\t")
    keys = sorted(k for k in annotations if k != "kubectl.kubernetes.io/last-applied-configuration")
    if not keys:
        out.line("<none>")
        return
    for i, key in enumerate(keys):
        if i:
            out.write(0, "\t")
        value = annotations[key].removesuffix("\n")
        if _size(value) + _size(key) + 2 > MAX_ANNOTATION_LEN or "\n" in value:
            out.write(0, f"{key}:\n")
            for part in value.split("\n"):
                out.write(0, f"\t  {_shorten(part, MAX_ANNOTATION_LEN - 2)}\n")
        else:
            out.write(0, f"{key}: {value}\n")


def _size(text: str) -> int:
    """Go's ``len``: the length in UTF-8 bytes, which kubectl measures annotations by."""
    return len(text.encode())


def _shorten(text: str, limit: int) -> str:
    """kubectl's ``shorten``: the first ``limit`` bytes and "...", a rune cut in two shown as
    a terminal shows kubectl's bytes (U+FFFD)."""
    data = text.encode()
    if len(data) <= limit:
        return text
    return data[:limit].decode(errors="replace") + "..."


def tolerations_multiline(out: Out, title: str, tolerations: list[Obj]) -> None:
    """``printPodTolerationsMultiline``: ``key=value:Effect op=Exists for 300s``, by key."""
    out.write(0, f"{title}:\t")
    if not tolerations:
        out.line("<none>")
        return
    for i, tol in enumerate(sorted(tolerations, key=lambda t: kube.text(t, "key"))):
        if i:
            out.write(0, "\t")
        key, value, effect = (
            kube.text(tol, "key"),
            kube.text(tol, "value"),
            kube.text(tol, "effect"),
        )
        text = key + (f"={value}" if value else "") + (f":{effect}" if effect else "")
        if kube.text(tol, "operator") == "Exists" and not value:
            text += " op=Exists" if key or effect else "op=Exists"
        if kube.has(tol, "tolerationSeconds"):
            text += f" for {kube.number(tol, 'tolerationSeconds')}s"
        out.write(0, text + "\n")
