#!/usr/bin/env python3
"""Realistic MISP inputs for the benchmarks: every attribute type of a real MISP 2.5.1 (values from
tests/conformance/all_types.json), one or two tags each, decay scores on half, objects on a third.

  gen_misp.py attributes N > attrs.ndjson   # N split /attributes/restSearch documents (NDJSON)
  gen_misp.py event N > event.json          # one /events/restSearch body, one event of N attributes
  gen_misp.py attributes-response N > a.json # one /attributes/restSearch body of N attributes

Deterministic (fixed seed), streamed (constant memory whatever N).
"""
import json
import random
import sys
from pathlib import Path

TYPES = json.loads((Path(__file__).resolve().parent.parent / "conformance" / "all_types.json")
                   .read_text())["attributes"]
TAGS = ["tlp:green", "tlp:amber", "tlp:white", "misp-galaxy:threat-actor=\"APT 28\"",
        "osint:source-type=\"blog-post\"", "type:OSINT", "kill-chain:Delivery"]
EVENT = {"id": "4711", "org_id": "1", "distribution": "1", "info": "Phishing campaign, wave 3",
         "orgc_id": "1", "uuid": "5f1b7c1e-7b1c-4b8e-9c1e-2b9a1f0e4711", "date": "2026-11-30",
         "published": True, "analysis": "2", "attribute_count": "0", "timestamp": "1764460800",
         "sharing_group_id": "0", "proposal_email_lock": False, "locked": False,
         "threat_level_id": "2", "publish_timestamp": "1764464400", "sighting_timestamp": "0",
         "disable_correlation": False, "extends_uuid": "", "event_creator_email": "analyst@example.org"}


def uuid(rng, i):
    return "%08x-%04x-4%03x-8%03x-%012x" % (rng.getrandbits(32), rng.getrandbits(16),
                                            rng.getrandbits(12), rng.getrandbits(12), i)


def attribute(rng, i):
    t = TYPES[i % len(TYPES)]
    ts = 1764460800 + i
    a = {"id": str(100000 + i), "event_id": "4711", "object_id": "0", "object_relation": None,
         "category": t.get("category", "Network activity"), "type": t["type"], "value": t["value"],
         "to_ids": i % 3 != 0, "uuid": uuid(rng, i), "timestamp": str(ts), "distribution": "5",
         "sharing_group_id": "0", "comment": "seen in wave 3" if i % 4 == 0 else "",
         "deleted": False, "disable_correlation": False, "first_seen": None, "last_seen": None}
    if i % 5 == 0:
        a["first_seen"] = "2026-11-29T10:00:00.000000+00:00"
    a["Tag"] = [{"id": str(1 + k), "name": rng.choice(TAGS), "colour": "#33FF00", "exportable": True,
                 "user_id": "0", "hide_tag": False, "numerical_value": None, "is_galaxy": False,
                 "is_custom_galaxy": False, "local_only": False, "local": 0}
                for k in range(1 + i % 2)]
    if i % 2 == 0:
        a["decay_score"] = [{"score": round(rng.uniform(0, 100), 2), "base_score": 80,
                             "decayed": rng.random() < 0.2,
                             "DecayingModel": {"id": "1", "name": "NIDS Simple Decaying Model"}}]
    return a


def obj(rng, i):
    return {"id": str(9000 + i), "name": "file", "meta-category": "file",
            "description": "File object describing a file with meta-information",
            "template_uuid": "688c46fb-5edb-40a3-8273-1af7923e2215", "template_version": "24",
            "event_id": "4711", "uuid": uuid(rng, i), "timestamp": str(1764460800 + i),
            "distribution": "5", "sharing_group_id": "0", "comment": "", "deleted": False,
            "first_seen": None, "last_seen": None}


def attribute_rows(n):
    rng = random.Random(12)
    for i in range(n):
        a = attribute(rng, i)
        a["Event"] = dict(EVENT, attribute_count=str(n))
        if i % 3 == 0:
            a["object_id"] = str(9000 + i)
            a["Object"] = obj(rng, i)
        yield json.dumps(a, separators=(",", ":"))


def attributes(n, out):
    for row in attribute_rows(n):
        out.write(row)
        out.write("\n")


def attributes_response(n, out):
    out.write('{"response":{"Attribute":[')
    for i, row in enumerate(attribute_rows(n)):
        out.write("," + row if i else row)
    out.write("]}}\n")


def event(n, out):
    rng = random.Random(12)
    head = dict(EVENT, attribute_count=str(n))
    head["Orgc"] = {"id": "1", "name": "CIRCL", "uuid": "55f6ea5e-2c60-40e5-964f-47a8950d210f",
                    "local": True}
    text = json.dumps({"response": [{"Event": head}]}, separators=(",", ":"))
    cut = text.rindex("}}]}")  # write the attribute list into the event as it is generated
    out.write(text[:cut] + ',"Attribute":[')
    for i in range(n):
        if i:
            out.write(",")
        out.write(json.dumps(attribute(rng, i), separators=(",", ":")))
    out.write('],"Object":[]' + text[cut:] + "\n")


if __name__ == "__main__":
    KINDS = {"attributes": attributes, "event": event, "attributes-response": attributes_response}
    if len(sys.argv) != 3 or sys.argv[1] not in KINDS:
        sys.exit(__doc__)
    KINDS[sys.argv[1]](int(sys.argv[2]), sys.stdout)
