"""docs/events.schema.json is the schema of the event bodies we send, and they follow it."""

import json
from pathlib import Path

import jsonschema

from adapters.events.schema import EVENT_TYPES, json_schema
from domain.events import EventType
from tests.application.builders import World

SCHEMA_FILE = Path(__file__).parents[2] / "docs" / "events.schema.json"


def test_the_published_schema_file_is_the_code_s_schema():
    published = json.loads(SCHEMA_FILE.read_text())
    assert published == json_schema(), (
        "regenerate docs/events.schema.json: python -c 'import json; from adapters.events.schema"
        " import json_schema; print(json.dumps(json_schema(), indent=2, ensure_ascii=False,"
        " sort_keys=True))'"
    )


def test_every_event_type_has_its_wire_type_with_a_version():
    definitions = json_schema()["$defs"]
    assert set(EVENT_TYPES) == {str(t) for t in EventType}
    for wire in EVENT_TYPES.values():
        properties = definitions[wire.__name__]["properties"]
        assert {"type", "id", "version", "timestamp", "cause", "data"} <= set(properties)


async def test_bodies_written_to_the_outbox_validate_against_the_published_schema():
    w = World()
    await w.paid_payment()
    schema = json.loads(SCHEMA_FILE.read_text())
    for event in w.store.outbox.values():
        jsonschema.validate(json.loads(event.payload), schema)
    broken = {**json.loads(next(iter(w.store.outbox.values())).payload), "version": "one"}
    try:
        jsonschema.validate(broken, schema)
    except jsonschema.ValidationError:
        pass
    else:
        raise AssertionError("a body with a non-integer version passed the schema")
