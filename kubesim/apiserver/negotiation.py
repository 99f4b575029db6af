"""Content negotiation: which representation a GET/LIST/WATCH answers with, and request bodies.

The apiserver picks the first Accept entry it can serve: plain JSON, a ``meta.k8s.io`` Table
(server-side printing, what ``kubectl get`` asks for) or PartialObjectMetadata. Protobuf is never
served; kubectl lists it first and JSON after, so it still gets JSON.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import yaml

from kubesim.api import status
from kubesim.api.resource_type import ResourceType
from kubesim.apiserver import protobuf
from kubesim.printing.custom import custom_table
from kubesim.printing.tables import to_table

ACCEPTED_TYPES = ["application/json", "application/yaml", "application/vnd.kubernetes.protobuf"]
_BODY_TYPES = ["application/json", "application/yaml", "application/vnd.kubernetes.protobuf"]


class Shape(StrEnum):
    """What the response body is."""

    OBJECT = "Object"
    TABLE = "Table"
    METADATA = "PartialObjectMetadata"


@dataclass(frozen=True, slots=True)
class Output:
    """The negotiated representation."""

    shape: Shape
    version: str = "v1"
    """``meta.k8s.io`` version for Table/PartialObjectMetadata."""

    @property
    def meta_api_version(self) -> str:
        """``meta.k8s.io/v1`` (or v1beta1)."""
        return f"meta.k8s.io/{self.version}"


JSON = Output(Shape.OBJECT)


def negotiate(accept: str | None, *, tables: bool = True) -> Output:
    """The first Accept entry we can serve; 406 when none is."""
    if not accept or not accept.strip():
        return JSON
    for raw in accept.split(","):
        media, *param_list = (p.strip() for p in raw.split(";"))
        params = dict(p.split("=", 1) for p in param_list if "=" in p)
        if media not in ("application/json", "application/*", "*/*", "*"):
            continue
        shape = params.get("as")
        if shape is None:
            return JSON
        if params.get("g") != "meta.k8s.io" or params.get("v") not in ("v1", "v1beta1"):
            continue
        if shape == "Table" and tables:
            return Output(Shape.TABLE, params["v"])
        if shape in ("PartialObjectMetadata", "PartialObjectMetadataList"):
            return Output(Shape.METADATA, params["v"])
    raise status.not_acceptable(ACCEPTED_TYPES)


def parse_body(raw: bytes, content_type: str) -> Any:
    """Decode a create/update body (JSON, YAML or kubectl's protobuf); 415 for others, 400 when
    malformed."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media in ("", "application/json", "*/*"):
        try:
            return json.loads(raw or b"null")
        except ValueError as err:
            raise status.bad_request(
                f"couldn't get version/kind; json parse error: {err}"
            ) from None
    if media == protobuf.MEDIA_TYPE:
        return protobuf.decode(raw)
    if media in ("application/yaml", "application/x-yaml", "text/yaml"):
        try:
            return yaml.safe_load(raw)
        except yaml.YAMLError as err:
            raise status.bad_request(f"error converting YAML to JSON: {err}") from None
    raise status.unsupported_media_type(content_type, _BODY_TYPES)


def partial_metadata(obj: dict[str, Any], output: Output) -> dict[str, Any]:
    """``PartialObjectMetadata`` for one object."""
    return {
        "kind": "PartialObjectMetadata",
        "apiVersion": output.meta_api_version,
        "metadata": obj.get("metadata", {}),
    }


def table(
    rt: ResourceType,
    objects: list[dict[str, Any]],
    *,
    now: datetime,
    include_object: str,
    output: Output,
) -> dict[str, Any]:
    """A ``meta.k8s.io`` Table of ``objects`` (the caller fills ``metadata``)."""
    if include_object not in ("None", "Metadata", "Object"):
        raise status.bad_request(
            f'Unsupported value: "{include_object}": supported values: "Metadata", "None", "Object"'
        )
    if rt.printer_columns is not None:
        built = custom_table(rt.printer_columns, objects, now=now, include_object=include_object)
    else:
        built = to_table(rt.kind, objects, now=now, include_object=include_object)
    built["apiVersion"] = output.meta_api_version
    built.setdefault("metadata", {})
    return built
