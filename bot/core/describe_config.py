"""``kubectl describe configmap|secret``: a ConfigMap's data as written, a Secret's keys and sizes.

kubectl prints a Secret's values never (only ``N bytes``), except a service account token, which
it prints; the bot prints its size too, since a value posted in a channel cannot be taken back.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.core import kube, tabwriter
from bot.core.describe import events_section
from bot.core.describe_out import Out, annotations_multiline, labels_multiline
from bot.core.kube import Obj
from bot.core.secret_data import size_of


def _header(out: Out, obj: Obj) -> None:
    meta = kube.mapping(obj, "metadata")
    out.write(0, f"Name:\t{kube.text(meta, 'name')}\n")
    out.write(0, f"Namespace:\t{kube.text(meta, 'namespace')}\n")
    labels_multiline(out, "Labels", kube.string_map(meta, "labels"))
    annotations_multiline(out, "Annotations", kube.string_map(meta, "annotations"))


def describe_config_map(config_map: Obj, events: Sequence[Obj] | None, now: datetime) -> str:
    """``kubectl describe configmap``: each key and its value, binary keys by size."""
    out = Out()
    _header(out, config_map)
    out.write(0, "\nData\n====\n")
    data = kube.string_map(config_map, "data")
    for key in sorted(data):
        out.write(0, f"{key}:\n----\n")
        out.write(0, f"{data[key]}\n")
        out.write(0, "\n")
    out.write(0, "\nBinaryData\n====\n")
    binary = kube.string_map(config_map, "binaryData")
    for key in sorted(binary):
        out.write(0, f"{key}: {size_of(binary[key], encoded=True)} bytes\n")
    out.write(0, "\n")
    events_section(out, events, now)
    return tabwriter.align(out.text())


def describe_secret(secret: Obj) -> str:
    """``kubectl describe secret``: type, then each key with its size in bytes (no values)."""
    out = Out()
    _header(out, secret)
    out.write(0, f"\nType:\t{kube.text(secret, 'type')}\n")
    out.write(0, "\nData\n====\n")
    data = kube.string_map(secret, "data")
    for key in sorted(data):
        out.write(0, f"{key}:\t{size_of(data[key], encoded=True)} bytes\n")
    return tabwriter.align(out.text())


def describe_service_account(
    account: Obj,
    *,
    secrets: Sequence[Obj] | None,
    events: Sequence[Obj] | None,
    now: datetime,
) -> str:
    """``kubectl describe serviceaccount``: pull and mountable secrets, token Secrets.

    ``secrets`` is the namespace's Secrets (None when they could not be listed): the account's
    tokens are among them, and a referenced Secret missing from them is marked ``(not found)``.
    """
    out = Out()
    _header(out, account)
    existing = {kube.name_of(s) for s in secrets or ()}
    uid = kube.text(account, "metadata", "uid")
    tokens = [
        kube.name_of(s)
        for s in secrets or ()
        if kube.text(s, "type") == "kubernetes.io/service-account-token"
        and kube.string_map(s, "metadata", "annotations").get("kubernetes.io/service-account.name")
        == kube.name_of(account)
        and kube.string_map(s, "metadata", "annotations").get("kubernetes.io/service-account.uid")
        == uid
    ]
    pull = [kube.text(s, "name") for s in kube.items(account, "imagePullSecrets")]
    mount = [kube.text(s, "name") for s in kube.items(account, "secrets")]
    missing = set() if secrets is None else {n for n in (*pull, *mount) if n not in existing}
    for header, names in (
        ("Image pull secrets:", pull),
        ("Mountable secrets: ", mount),
        ("Tokens:            ", tokens),
    ):
        if not names:
            out.write(0, f"{header}\t<none>\n")
        prefix = header
        for name in names:
            mark = " (not found)" if name in missing else ""
            out.write(0, f"{prefix}\t{name}{mark}\n")
            prefix = " " * 19
    events_section(out, events, now)
    return tabwriter.align(out.text())
