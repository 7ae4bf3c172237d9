#!/usr/bin/env python3
"""Holds a soak run's output against the emulator's ground truth (soak.sh's work dir).

Checks, each failing the run:
  lines     every line of the NDJSON output (rotated files included) parses, and every file ends
            with a newline (no torn line, none glued to the next document);
  ids       no version (attribute uuid + timestamp; event uuid + timestamp) under two _ids;
  final     every attribute MISP holds at the end (soft-deleted ones too: the stream asks for
            deleted [0, 1]) and every event, in its final version, is in the output;
  served    every attribute version MISP served in a 200 answer is in the output, unless MISP
            replaced it (edit, soft or hard delete) afterwards: a version replaced before the agent
            committed it may be gone for good when the agent is killed, and the docs promise only
            the versions a completed window holds;
  cursors   every cursor file a run started from (and the last one) parses as v2:<ts>:<id|*>:<r>,
            the run's first request started where it said (from = ts, or ts + 1 after '*'), and
            committed cursors never moved back.
Prints one summary line of numbers.
"""
import argparse
import datetime
import glob
import json
import os
import re
import sys

CURSOR = re.compile(r"^v2:(\d+):(\d+|\*):(\d+)$")


def iso_seconds(text):
    """@timestamp ("2026-12-02T13:00:00.000Z") -> Unix seconds."""
    t = datetime.datetime.strptime(text[:19], "%Y-%m-%dT%H:%M:%S")
    return int(t.replace(tzinfo=datetime.timezone.utc).timestamp())


def read_ndjson(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("work")
    ap.add_argument("--runs", type=int, default=0)
    ap.add_argument("--kills", type=int, default=0)
    ap.add_argument("--seconds", type=int, default=0)
    ap.add_argument("--seed", default="")
    a = ap.parse_args()
    w = a.work
    failures = []

    def fail(msg):
        failures.append(msg)

    # lines
    files = sorted(glob.glob(os.path.join(w, "out.ndjson*")))
    if not files:
        fail("no output file")
    attr_ids, event_ids = {}, {}  # version -> {_id}
    lines = 0
    for path in files:
        with open(path, "rb") as f:
            data = f.read()
        if data and not data.endswith(b"\n"):
            fail(f"{path}: ends in a torn line: {data[-80:]!r}")
        for n, raw in enumerate(data.split(b"\n")[:-1] if data.endswith(b"\n") else data.split(b"\n"), 1):
            lines += 1
            try:
                doc = json.loads(raw)
            except ValueError as e:
                fail(f"{path}:{n}: not JSON ({e}): {raw[:120]!r}")
                continue
            _id = doc.get("@metadata", {}).get("_id")
            index = doc.get("@metadata", {}).get("index", "")
            misp = doc.get("misp", {})
            if "threat_attributes" in index:
                key = (misp.get("attribute", {}).get("uuid"), iso_seconds(doc["@timestamp"]))
                attr_ids.setdefault(key, set()).add(_id)
            else:
                ev_uuid = misp.get("event", {}).get("uuid")
                key = (ev_uuid, misp.get("attribute", {}).get("uuid"), iso_seconds(doc["@timestamp"]))
                event_ids.setdefault(key, set()).add(_id)

    # ids
    for name, table in (("attribute", attr_ids), ("event document", event_ids)):
        twice = {k: v for k, v in table.items() if len(v) > 1}
        if twice:
            fail(f"{len(twice)} {name} versions under two _ids, e.g. {next(iter(twice.items()))}")

    # final
    snapshot = read_ndjson(os.path.join(w, "snapshot.ndjson"))
    final = {r["uuid"]: r["timestamp"] for r in snapshot if r["kind"] == "attribute"}
    missing_final = [(u, t) for u, t in final.items() if (u, t) not in attr_ids]
    if missing_final:
        fail(f"{len(missing_final)} of {len(final)} final attribute versions not in the output, "
             f"e.g. {missing_final[:5]}")
    # Events (ti_misp.threat: one document per attribute, @timestamp is the event's timestamp): a
    # final event version is delivered when some document of the event carries it.
    event_final = {r["uuid"]: r["timestamp"] for r in snapshot if r["kind"] == "event"}
    delivered_events = {(ev, ts) for (ev, _attr, ts) in event_ids}
    missing_events = [(u, t) for u, t in event_final.items() if (u, t) not in delivered_events]
    if missing_events:
        fail(f"{len(missing_events)} of {len(event_final)} final event versions not in the "
             f"output, e.g. {missing_events[:5]}")

    # served
    served = read_ndjson(os.path.join(w, "served.ndjson"))
    versions = {(r["uuid"], r["timestamp"]) for r in served}
    ledger = read_ndjson(os.path.join(w, "ledger.ndjson"))
    replaced = {(e["uuid"], e["old_timestamp"]) for e in ledger
                if e["kind"] in ("edit", "soft_delete", "hard_delete")}
    delivered = sum(1 for v in versions if v in attr_ids)
    gone = [v for v in versions if v not in attr_ids]
    unexplained = [v for v in gone if v not in replaced]
    if unexplained:
        fail(f"{len(unexplained)} served versions neither delivered nor replaced afterwards, "
             f"e.g. {unexplained[:5]}")

    # cursors
    starts, checked_starts = 0, 0
    last = {}
    for path in sorted(glob.glob(os.path.join(w, "cursors-seen", "*.cursor")),
                       key=lambda p: int(os.path.basename(p).split("-")[0])):
        run, stream = os.path.basename(p := path)[:-len(".cursor")].split("-", 1)
        with open(p, "rb") as f:
            raw = f.read()
        text = raw.decode("ascii", "replace")
        m = CURSOR.match(text.rstrip("\n"))
        if not raw.endswith(b"\n") or not m:
            fail(f"{p}: not a cursor file: {raw[:120]!r}")
            continue
        starts += 1
        ts, cid = int(m.group(1)), m.group(2)
        if stream in last and (ts, cid != "*") < last[stream]:
            fail(f"{p}: cursor moved back from {last[stream]} to {text.strip()}")
        last[stream] = (ts, cid != "*")
        want_from = ts + 1 if cid == "*" else ts
        trace = os.path.join(w, "trace", f"{run}-{stream}.ndjson")
        if not os.path.exists(trace):
            continue  # killed before its first request
        with open(trace, encoding="utf-8") as f:
            first = f.readline()
        if not first.endswith("\n"):
            continue  # killed while tracing its first request
        body = json.loads(json.loads(first)["http.request.body"])
        checked_starts += 1
        if body["timestamp"][0] != want_from:
            fail(f"run {run} {stream}: started at timestamp {body['timestamp'][0]}, its cursor "
                 f"{text.strip()} says {want_from}")
    for stream in ("attrs", "events"):
        p = os.path.join(w, "data", "cursors", f"{stream}.cursor")
        if not os.path.exists(p) or not CURSOR.match(open(p).read().rstrip("\n")):
            fail(f"{p}: missing or not a cursor after the final run")

    # What the agent went through (its log): retries by cause, failed polls, restarts.
    faults = {"http_500": 0, "http_429": 0, "dropped": 0, "timeout": 0, "other_retry": 0,
              "failed_polls": 0, "completed_polls": 0}
    with open(os.path.join(w, "agent.log"), encoding="utf-8", errors="replace") as f:
        for line in f:
            if "Retrying request." in line:
                if "HTTP 500" in line:
                    faults["http_500"] += 1
                elif "HTTP 429" in line:
                    faults["http_429"] += 1
                elif "closed before a complete response" in line:
                    faults["dropped"] += 1
                elif "within" in line or "timed out" in line:
                    faults["timeout"] += 1
                else:
                    faults["other_retry"] += 1
            elif "Poll finished." in line:
                faults["failed_polls" if " error=" in line else "completed_polls"] += 1

    kinds = {}
    for e in ledger:
        kinds[e["kind"]] = kinds.get(e["kind"], 0) + 1
    attr_docs = sum(1 for _ in attr_ids)
    print(f"soak check: {a.seconds}s seed={a.seed} runs={a.runs} kills={a.kills} lines={lines} "
          f"attribute_versions_in_output={attr_docs} final_attributes={len(final)} "
          f"final_missing={len(missing_final)} final_events={len(event_final)} "
          f"final_events_missing={len(missing_events)} event_documents={len(event_ids)} "
          f"served_rows={len(served)} served_versions={len(versions)} "
          f"served_delivered={delivered} served_replaced_before_commit={len(gone) - len(unexplained)} "
          f"served_unexplained={len(unexplained)} cursor_starts={starts} "
          f"starts_checked_against_trace={checked_starts} "
          f"changes={json.dumps(kinds, sort_keys=True, separators=(',', ':'))} "
          f"agent={json.dumps(faults, separators=(',', ':'))}")
    for f in failures:
        print("FAIL:", f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
