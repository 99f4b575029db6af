"""Decode the Kubernetes protobuf bodies kubectl's typed creates send, into plain JSON objects.

``kubectl create deployment``, ``create namespace``, ``run`` and friends build typed objects and
POST them as ``application/vnd.kubernetes.protobuf`` without a JSON fallback, so the tutorial's
first command needs this. The body is the ``k8s\\x00`` magic and a ``runtime.Unknown`` envelope
(typeMeta, raw); ``raw`` is the object in the field numbers of the ``generated.proto`` files of
k8s.io/api, of which this knows the messages kubectl's generators fill in. A field it does not
know is a 415, as before, rather than silently dropped data.

Go's generated marshallers write every non-pointer scalar even when zero, while JSON (what the
store keeps) leaves zero ``omitempty`` fields out: zeros are dropped unless the Go field is a
pointer (``replicas: 0`` must survive). Non-pointer structs are always on the wire and always in
Go's JSON (``resources: {}``, ``strategy: {}``), so an empty message decodes to ``{}``.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

from kubesim.api import status
from kubesim.apiserver.messages import auth, core, services, workloads
from kubesim.apiserver.messages.field import Field

MAGIC = b"k8s\x00"
MEDIA_TYPE = "application/vnd.kubernetes.protobuf"

MESSAGES = {**core.MESSAGES, **workloads.MESSAGES, **services.MESSAGES, **auth.MESSAGES}
KINDS = (
    "Deployment",
    "Job",
    "CronJob",
    "Namespace",
    "Pod",
    "Service",
    "ConfigMap",
    "Secret",
    "ServiceAccount",
    "ResourceQuota",
    "Ingress",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "TokenRequest",
    "SelfSubjectReview",
    "SelfSubjectAccessReview",
    "SelfSubjectRulesReview",
    "SubjectAccessReview",
    "LocalSubjectAccessReview",
)
_SCALARS = ("string", "int", "bool", "bytes")


def _unsupported(detail: str) -> status.ApiError:
    return status.ApiError(
        415, "UnsupportedMediaType", f"the sandbox cannot decode this protobuf body: {detail}"
    )


def _varint(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if at >= len(data) or shift > 63:
            raise status.bad_request("protobuf: truncated varint")
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, at


def _fields(data: bytes) -> list[tuple[int, int, Any]]:
    """(field number, wire type, value) in wire order; varints as int, length-delimited as bytes."""
    out: list[tuple[int, int, Any]] = []
    at = 0
    while at < len(data):
        key, at = _varint(data, at)
        number, wire = key >> 3, key & 7
        value: Any
        if wire == 0:
            value, at = _varint(data, at)
        elif wire == 2:
            size, at = _varint(data, at)
            if at + size > len(data):
                raise status.bad_request("protobuf: truncated field")
            value, at = data[at : at + size], at + size
        elif wire == 1:
            value, at = int.from_bytes(data[at : at + 8], "little"), at + 8
        elif wire == 5:
            value, at = int.from_bytes(data[at : at + 4], "little"), at + 4
        else:
            raise status.bad_request(f"protobuf: unsupported wire type {wire}")
        out.append((number, wire, value))
    return out


def _signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


def _text(raw: Any) -> str:
    if not isinstance(raw, bytes):
        raise status.bad_request("protobuf: expected a length-delimited field")
    return raw.decode("utf-8")


def _map_entry(raw: Any) -> tuple[str, bytes]:
    key, value = "", b""
    for number, _, item in _fields(raw):
        if number == 1:
            key = _text(item)
        elif number == 2:
            value = item
    return key, value


def _scalar(kind: str, raw: Any) -> Any:
    if kind == "string":
        return _text(raw)
    if kind == "int":
        return _signed(raw)
    if kind == "bool":
        return bool(raw)
    return base64.b64encode(raw).decode()


def _value(field: Field, raw: Any, path: str) -> Any:
    kind = field.kind
    if kind in _SCALARS:
        return _scalar(kind, raw)
    if kind == "time":
        parts = {n: v for n, _, v in _fields(raw)}
        seconds = _signed(parts.get(1, 0))
        return (
            datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if seconds else None
        )
    if kind == "intstr":
        parts = {n: v for n, _, v in _fields(raw)}
        return _text(parts.get(3, b"")) if parts.get(1, 0) == 1 else _signed(parts.get(2, 0))
    if kind == "quantity":
        return _text({n: v for n, _, v in _fields(raw)}.get(1, b""))
    return decode_message(kind, raw, path)


def decode_message(message: str, data: bytes, path: str = "") -> dict[str, Any]:
    """One message as a JSON object; 415 for a field this decoder does not know."""
    schema = MESSAGES[message]
    out: dict[str, Any] = {}
    if not schema:
        return out  # a status: whatever kubectl wrote, create resets it
    for number, _, raw in _fields(data):
        field = schema.get(number)
        if field is None:
            raise _unsupported(f"field {number} of {message} at {path or '.'} is not supported")
        where = f"{path}.{field.name}"
        if field.kind in ("map", "bytesmap", "quantitymap"):
            key, value = _map_entry(raw)
            inner = {"map": "string", "bytesmap": "bytes", "quantitymap": "quantity"}[field.kind]
            out.setdefault(field.name, {})[key] = _value(Field(key, inner), value, where)
            continue
        value = _value(field, raw, where)
        if not field.name:  # a Go struct embedded in its parent: JSON inlines its fields
            out.update(value)
            continue
        if field.repeated:
            out.setdefault(field.name, []).append(value)
        elif value is None or (not field.pointer and field.kind in _SCALARS and not value):
            out.pop(field.name, None)  # a zero scalar: JSON's omitempty leaves it out
        else:
            out[field.name] = value
    return out


def decode(body: bytes) -> dict[str, Any]:
    """A ``k8s\\x00`` + ``runtime.Unknown`` body as the JSON object it stands for."""
    if not body.startswith(MAGIC):
        raise status.bad_request("protobuf: the body does not start with the k8s magic prefix")
    api_version = kind = ""
    raw = b""
    for number, _, value in _fields(body[len(MAGIC) :]):
        if number == 1:
            for inner, _, item in _fields(value):
                if inner == 1:
                    api_version = _text(item)
                elif inner == 2:
                    kind = _text(item)
        elif number == 2:
            raw = value
        elif number == 3 and value:
            raise _unsupported(f"content encoding {_text(value)!r}")
    if kind not in KINDS:
        raise _unsupported(f"kind {kind or '(none)'} is not decoded from protobuf")
    return {"apiVersion": api_version, "kind": kind, **decode_message(kind, raw)}
