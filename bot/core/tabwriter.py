"""Go's ``text/tabwriter`` column layout, which kubectl's describe and history output rely on.

kubectl writes tab-separated cells and lets tabwriter align them: a column's width is set per
*block* of consecutive lines that have a cell in that column, so ``Labels:`` continuation lines
line up with ``Name:`` while a line without tabs starts a fresh block. Reproducing the algorithm
(rather than padding every column globally) is what makes the text identical to kubectl's.
"""

from __future__ import annotations


def align(text: str, *, minwidth: int = 0, padding: int = 2) -> str:
    """Lay out tab-separated ``text`` as ``tabwriter.NewWriter(out, minwidth, 8, padding, ' ', 0)``.

    kubectl describe uses ``minwidth=0, padding=2``; its tables (``printers.GetNewTabWriter``)
    use ``minwidth=6, padding=3``. The last cell of each line is never padded. A form feed
    ends its line as a newline does, and every column with it: the text after it is laid out
    afresh (Go's writer flushes there).
    """
    out: list[str] = []
    for part in text.split("\f"):
        lines = [line.split("\t") for line in part.split("\n")]
        _format(lines, 0, len(lines), [], out, minwidth=minwidth, padding=padding)
    return "\n".join(out)


def _format(
    lines: list[list[str]],
    line0: int,
    line1: int,
    widths: list[int],
    out: list[str],
    *,
    minwidth: int,
    padding: int,
) -> None:
    column = len(widths)
    this = line0
    while this < line1:
        if column >= len(lines[this]) - 1:
            this += 1
            continue
        # A block of lines with a cell in this column starts here.
        _write(lines, line0, this, widths, out)
        line0 = this
        width = minwidth
        while this < line1 and column < len(lines[this]) - 1:
            width = max(width, len(lines[this][column]) + padding)
            this += 1
        _format(lines, line0, this, [*widths, width], out, minwidth=minwidth, padding=padding)
        line0 = this
    _write(lines, line0, line1, widths, out)


def _write(
    lines: list[list[str]], line0: int, line1: int, widths: list[int], out: list[str]
) -> None:
    for cells in lines[line0:line1]:
        parts = [
            cell.ljust(widths[j]) if j < len(widths) and j < len(cells) - 1 else cell
            for j, cell in enumerate(cells)
        ]
        out.append("".join(parts))
