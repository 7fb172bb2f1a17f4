"""The input fingerprint is a SHA-256 of canonical JSON: key order and spacing do not matter."""

from __future__ import annotations

import hashlib

from app.services.provenance import canonical_json


def test_canonical_json_ignores_key_order_and_keeps_numbers_exact() -> None:
    a = canonical_json({"weights": {"b": 0.1, "a": 2}, "today": "2026-12-01"})
    b = canonical_json({"today": "2026-12-01", "weights": {"a": 2, "b": 0.1}})
    assert a == b == '{"today":"2026-12-01","weights":{"a":2,"b":0.1}}'
    assert hashlib.sha256(a.encode()).hexdigest() == hashlib.sha256(b.encode()).hexdigest()
    assert canonical_json({"x": 0.1 + 0.2}) == '{"x":0.30000000000000004}'
