"""API errors as the real apiserver reports them: an HTTP code plus a ``meta/v1 Status`` body.

Messages follow ``k8s.io/apimachinery/pkg/api/errors`` so that kubectl prints what it prints
against a real cluster (e.g. ``deployments.apps "web" not found``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Cause:
    """One field error of a 422 Invalid (``StatusCause``)."""

    field: str
    message: str
    reason: str = "FieldValueInvalid"


class ApiError(Exception):
    """Raised anywhere in the sandbox; the server turns it into the response."""

    def __init__(
        self,
        code: int,
        reason: str,
        message: str,
        *,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details

    def to_status(self) -> dict[str, Any]:
        """The ``Status`` object for the response body."""
        body: dict[str, Any] = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        }
        if self.details is not None:
            body["details"] = self.details
        return body


def _qualified(resource: str, group: str) -> str:
    return f"{resource}.{group}" if group else resource


def not_found(resource: str, group: str, name: str) -> ApiError:
    """404 for a named object (``pods "x" not found``)."""
    return ApiError(
        404,
        "NotFound",
        f'{_qualified(resource, group)} "{name}" not found',
        details={"name": name, "group": group, "kind": resource},
    )


def already_exists(resource: str, group: str, name: str) -> ApiError:
    """409 for a create whose name is taken."""
    return ApiError(
        409,
        "AlreadyExists",
        f'{_qualified(resource, group)} "{name}" already exists',
        details={"name": name, "group": group, "kind": resource},
    )


def conflict(resource: str, group: str, name: str) -> ApiError:
    """409 for an update carrying a stale resourceVersion."""
    return ApiError(
        409,
        "Conflict",
        f'Operation cannot be fulfilled on {_qualified(resource, group)} "{name}": '
        "the object has been modified; please apply your changes to the latest version "
        "and try again",
        details={"name": name, "group": group, "kind": resource},
    )


def invalid(kind: str, group: str, name: str, causes: list[Cause]) -> ApiError:
    """422 with field causes (``Deployment.apps "web" is invalid: spec.replicas: ...``)."""
    qualified = f"{kind}.{group}" if group else kind
    joined = ", ".join(f"{c.field}: {c.message}" for c in causes)
    if len(causes) > 1:
        joined = f"[{joined}]"
    return ApiError(
        422,
        "Invalid",
        f'{qualified} "{name}" is invalid: {joined}',
        details={
            "name": name,
            "group": group,
            "kind": kind,
            "causes": [
                {"reason": c.reason, "message": c.message, "field": c.field} for c in causes
            ],
        },
    )


def bad_request(message: str) -> ApiError:
    """400 BadRequest."""
    return ApiError(400, "BadRequest", message)


def method_not_allowed(
    message: str = "the server does not allow this method on the requested resource",
) -> ApiError:
    """405 MethodNotAllowed."""
    return ApiError(405, "MethodNotAllowed", message)


def unsupported_media_type(content_type: str, accepted: list[str]) -> ApiError:
    """415 for a body in a format we do not decode (protobuf, yaml patch ...)."""
    return ApiError(
        415,
        "UnsupportedMediaType",
        "the body of the request was in an unknown format - accepted media types include: "
        + ", ".join(accepted)
        if content_type
        else "the body of the request was in an unknown format",
    )


def not_acceptable(accepted: list[str]) -> ApiError:
    """406 when no offered Accept type is served."""
    return ApiError(
        406,
        "NotAcceptable",
        f"only the following media types are accepted: {', '.join(accepted)}",
    )


def gone(message: str) -> ApiError:
    """410 Expired, for a watch from a resourceVersion older than the kept history."""
    return ApiError(410, "Expired", message)


def unauthorized() -> ApiError:
    """401 for a missing or wrong bearer token."""
    return ApiError(401, "Unauthorized", "Unauthorized")
