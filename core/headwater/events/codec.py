"""The stored form of an `EventLogEntry`: a compact JSON body, and the reader for both forms.

A full body (``serialize_value(entry)``) repeats the job name, step key and message in the
entry and in its event and spells out every null and empty mapping; a step boundary writes
several such rows in one commit, so their size is what the commit pays for. The compact body
stores each value once under a short key and leaves out what equals its usual value:

``r`` run id, ``t`` timestamp, ``m`` user message, ``l`` level (absent: DEBUG), ``s`` step
key, ``j`` job name, ``x`` error info; with a structured event, ``e`` its type, ``d`` its
specific data, ``p`` its pid, ``g`` its logging tags, and ``ej`` / ``es`` / ``em`` its job
name, step key and message where they differ from the entry's.

Bodies written in the full form (tagged ``"__class__"``) still read back unchanged.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from headwater._serde import CLASS_TAG, deserialize_value, structure, unstructure
from headwater.events.data import SerializableErrorInfo
from headwater.events.log import DagsterEvent, EventLogEntry

_ENCODER = json.JSONEncoder(separators=(",", ":"), check_circular=False)


def encode_entry(entry: EventLogEntry) -> str:
    """``entry`` as a compact JSON body."""
    body: dict[str, Any] = {"r": entry.run_id, "t": entry.timestamp, "m": entry.user_message}
    if entry.level != logging.DEBUG:
        body["l"] = entry.level
    if entry.step_key is not None:
        body["s"] = entry.step_key
    if entry.job_name is not None:
        body["j"] = entry.job_name
    if entry.error_info is not None:
        body["x"] = unstructure(entry.error_info)
    event = entry.dagster_event
    if event is not None:
        body["e"] = event.event_type_value
        if event.job_name != entry.job_name:
            body["ej"] = event.job_name
        if event.step_key != entry.step_key:
            body["es"] = event.step_key
        if event.message != entry.user_message:
            body["em"] = event.message
        if event.event_specific_data is not None:
            body["d"] = unstructure(event.event_specific_data)
        if event.pid is not None:
            body["p"] = event.pid
        if event.logging_tags:
            body["g"] = dict(event.logging_tags)
    return _ENCODER.encode(body)


def decode_entry(text: str) -> EventLogEntry:
    """The entry stored as ``text``, in the compact or the full form."""
    body = json.loads(text)
    if CLASS_TAG in body:
        return deserialize_value(text, EventLogEntry)
    step_key = body.get("s")
    job_name = body.get("j")
    message = body["m"]
    event = None
    event_type = body.get("e")
    if event_type is not None:
        data = body.get("d")
        event = DagsterEvent(
            event_type_value=event_type,
            job_name=body.get("ej", job_name),
            step_key=body.get("es", step_key),
            message=body.get("em", message),
            event_specific_data=structure(data) if data is not None else None,
            pid=body.get("p"),
            logging_tags=body.get("g", {}),
        )
    error = body.get("x")
    return EventLogEntry(
        error_info=structure(error, SerializableErrorInfo) if error is not None else None,
        level=body.get("l", logging.DEBUG),
        user_message=message,
        run_id=body["r"],
        timestamp=body["t"],
        step_key=step_key,
        job_name=job_name,
        dagster_event=event,
    )
