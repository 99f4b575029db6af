"""What ``kubectl rollout history`` prints for a Deployment: its ReplicaSets' revisions
(history.go's ``ViewHistory``), as a table or one revision's pod template."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.core import kube, tabwriter
from bot.core.describe import describe_template
from bot.core.kube import Obj
from bot.core.results import Document
from bot.core.rollout import CHANGE_CAUSE, revision
from bot.errors import NotFound


def history(owned: Sequence[Obj]) -> dict[int, Obj]:
    """``ViewHistory``'s map revision -> pod template, with each RS's change-cause folded in."""
    result: dict[int, Obj] = {}
    for rs in owned:
        rev = revision(rs)
        if rev is None:
            continue
        template = dict(kube.mapping(rs, "spec", "template"))
        cause = kube.string_map(rs, "metadata", "annotations").get(CHANGE_CAUSE, "")
        if cause:
            meta = dict(kube.mapping(template, "metadata"))
            meta["annotations"] = {**kube.string_map(meta, "annotations"), CHANGE_CAUSE: cause}
            template["metadata"] = meta
        result[rev] = template
    return result


def history_rows(owned: Sequence[Obj]) -> list[tuple[str, str]]:
    """The ``REVISION  CHANGE-CAUSE`` rows, ascending, ``<none>`` for an empty cause."""
    revisions = history(owned)
    return [
        (
            str(rev),
            kube.string_map(revisions[rev], "metadata", "annotations").get(CHANGE_CAUSE)
            or "<none>",
        )
        for rev in sorted(revisions)
    ]


def history_document(
    resource: str,
    to_revision: int | None,
    templates: Mapping[int, Obj],
    rows: Sequence[tuple[str, str]],
) -> Document:
    """``rollout history`` as kubectl prints it for ``resource`` (``deployment.apps/web``): one
    revision's pod template with ``--revision``, else the revision table."""
    # kubectl's name printer prints "NAME " + what follows it: the revision asked, a newline,
    # then history's text, which is this line before any revision is looked for.
    if not templates:
        asked = f"with revision #{to_revision}" if to_revision else ""
        return Document(f"{resource} {asked}\nNo rollout history found.")
    if to_revision:
        if to_revision not in templates:
            raise NotFound("unable to find the specified revision")
        header = f"{resource} with revision #{to_revision}\n"
        return Document(header + describe_template(templates[to_revision]))
    table = "REVISION\tCHANGE-CAUSE\n" + "".join(f"{r}\t{c}\n" for r, c in rows)
    # kubectl's name printer adds "NAME " + newline around history's tabwriter text.
    return Document(f"{resource} \n{tabwriter.align(table)}\n")
