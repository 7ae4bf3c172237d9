#!/usr/bin/env python3
"""Derives the fuzz targets' seed inputs from ../shared/vectors into OUT/<target>/ (scripts/fuzz.sh
runs it before each campaign; nothing derived is committed). Usage: make_seeds.py VECTORS OUT"""
import json
import pathlib
import sys

PER_FILE = 24  # split documents kept per MISP export: enough shapes, a small corpus


def write(out, target, name, data):
    d = out / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data if isinstance(data, bytes) else data.encode())


def compact(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def events_of(doc):
    """The events of an export: {"Event": {...}}, a bare event body, or a restSearch list."""
    if isinstance(doc, dict) and isinstance(doc.get("Event"), dict):
        return [doc["Event"]]
    if isinstance(doc, dict) and "Attribute" in doc and "info" in doc:
        return [doc]
    rows = doc.get("response") if isinstance(doc, dict) else doc
    if isinstance(rows, list):
        return [r["Event"] for r in rows if isinstance(r, dict) and isinstance(r.get("Event"), dict)]
    return []


def attributes_of(doc):
    if isinstance(doc, dict):
        inner = doc.get("response", doc)
        rows = inner.get("Attribute") if isinstance(inner, dict) else None
        if isinstance(rows, list):
            return [a for a in rows if isinstance(a, dict)]
    return []


def split_event(event):
    """Per indicator, as plugin/split.cpp does: each event attribute with Object = [], each
    object attribute with Attribute = []."""
    docs = []
    for a in event.get("Attribute") or []:
        docs.append({"Event": dict(event, Attribute=a, Object=[])})
    for o in event.get("Object") or []:
        for oa in o.get("Attribute") or []:
            docs.append({"Event": dict(event, Object=dict(o, Attribute=oa), Attribute=[])})
    return docs or [{"Event": event}]


HEADERS = ("Date: Sun, 06 Nov 1994 08:49:37 GMT\nX-Skipped-Elements-Count: 2\n"
           "Content-Type: application/json\n\n")


def main():
    vectors, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    for stream in ("threat", "threat_attributes"):
        for f in sorted((vectors / stream).glob("*.ndjson")):
            for i, line in enumerate(f.read_text().splitlines()):
                if line.strip():
                    write(out, "fuzz_map_" + stream, f"{f.stem}-{i}.json", line)
    for f in sorted((vectors / "misp").glob("*.json")):
        raw = f.read_bytes()
        doc = json.loads(raw)
        events, attributes = events_of(doc), attributes_of(doc)
        stem = f.name[:2]
        if events or attributes:
            write(out, "fuzz_split", f"{stem}.json", raw)
        for i, e in enumerate(events):
            body = compact({"response": [{"Event": e}]})
            write(out, "fuzz_split", f"{stem}-{i}-response.json", body)
            write(out, "fuzz_response", f"{stem}-{i}-events", HEADERS + body)
            for j, d in enumerate(split_event(e)[:PER_FILE]):
                write(out, "fuzz_map_threat", f"{stem}-{i}-{j}.json", compact(d))
        if attributes:
            body = compact({"response": {"Attribute": attributes}})
            write(out, "fuzz_split", f"{stem}-attributes-response.json", body)
            write(out, "fuzz_response", f"{stem}-attributes", HEADERS + body)
            for j, a in enumerate(attributes[:PER_FILE]):
                write(out, "fuzz_map_threat_attributes", f"{stem}-{j}.json", compact(a))
        if doc and not events and not attributes:  # decaying model, manifest: other shapes
            write(out, "fuzz_response", f"{stem}-other", raw)


if __name__ == "__main__":
    main()
