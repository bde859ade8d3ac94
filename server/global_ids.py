"""The opaque ids clients see, for outputs written outside the GraphQL layer (CSV exports): the
same encoding as `schema.core.relay.global_id`, base64("Type:uuid"), so such an id resolves
through `node(id:)` like any other."""

from __future__ import annotations

import base64
import uuid


def encode_global_id(type_name: str, pk: uuid.UUID | str) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()
