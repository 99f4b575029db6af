"""Secret values are replaced by their sizes wherever a Secret appears in a document."""

from __future__ import annotations

import base64

from bot.core.secret_data import redacted

SECRET = {
    "apiVersion": "v1",
    "kind": "Secret",
    "metadata": {"name": "s"},
    "data": {"token": base64.b64encode(b"abcdef").decode()},
    "stringData": {"note": "héllo"},
}


def test_a_secret_keeps_keys_and_loses_values() -> None:
    out, found = redacted(SECRET)
    assert found
    assert out == {
        **SECRET,
        "data": {"token": "(redacted: 6 bytes)"},
        "stringData": {"note": "(redacted: 6 bytes)"},
    }


def test_secrets_inside_lists_are_found_and_other_objects_untouched() -> None:
    config = {"kind": "ConfigMap", "data": {"a": "visible"}}
    out, found = redacted({"kind": "List", "items": [config, SECRET]})
    assert found
    assert isinstance(out, dict)
    assert out["items"][0] == config
    assert out["items"][1]["data"] == {"token": "(redacted: 6 bytes)"}
    assert redacted(config) == (config, False)
