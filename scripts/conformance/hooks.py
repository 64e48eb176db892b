"""Schemathesis hooks of `scripts/api-conformance`: what the document cannot say to a fuzzer.

- `POST /admin/plugins` takes a WebAssembly component, which no JSON Schema generates. The fuzzer
  sends the component the daemon under test loaded (`SCORELINE_CONFORMANCE_COMPONENT`): uploaded as
  the adapter it is, it swaps in nothing new (200 `unchanged`); under any other name it is 404.
- `POST /admin/schedule` reads its body as `format` says when given, whatever the `Content-Type`:
  a CSV body sent as `format=json` is rightly a 400. OpenAPI cannot tie a query parameter to the
  body's media type, so cases where they disagree are not generated.
"""

import os

import schemathesis
from hypothesis import strategies as st

with open(os.environ["SCORELINE_CONFORMANCE_COMPONENT"], "rb") as component:
    COMPONENT = component.read()

schemathesis.openapi.media_type("application/wasm", st.just(COMPONENT))

MEDIA_TYPE_OF_FORMAT = {"csv": "text/csv", "json": "application/json"}


@schemathesis.hook("filter_case").apply_to(operation_id="uploadSchedule")
def format_agrees_with_the_media_type(context, case):
    query = case.query if isinstance(case.query, dict) else {}
    given = query.get("format")
    if not isinstance(given, str) or given == "":
        return True
    media_type = (case.media_type or "").split(";")[0].strip().lower()
    return MEDIA_TYPE_OF_FORMAT.get(given.lower()) == media_type
