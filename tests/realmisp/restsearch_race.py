#!/usr/bin/env python3
"""Reproduce MISP's non-atomic /events/restSearch (standard library only).

MISP 2.5.1 answers /events/restSearch in two steps: filterEventIds() selects the ids matching the
filters (timestamp window, order, limit/page), then fetchEvent() loads those events in a second
query. An event edited between the two comes back with its NEW timestamp, outside the requested
window and out of the requested order. misp-agent treats such a row as a contract violation and
fails the poll ("... lies outside the requested window ...: MISP ignored the timestamp filter").

  MISP_URL=... MISP_KEY=... python3 tests/realmisp/restsearch_race.py [SECONDS]

Creates 3 events of 40 attributes, then one thread adds attributes to them (each add bumps the
event's timestamp) while another sends the poller's request (timestamp [T-3, T], T = now - 1,
limit 3, page 1, order Event.timestamp asc, Event.id asc). Prints the first responses holding an
event outside the window; exits 1 when it saw one, 0 when not within SECONDS (default 60).
"""
import json
import os
import sys
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import misp_scenario as m  # noqa: E402

secs = float(sys.argv[1]) if len(sys.argv) > 1 else 60
ids = []
for e in range(3):
    attrs = [m.attr_payload(*m.BULK_TYPES[i % len(m.BULK_TYPES)], f"race-{time.time()}-{e}-{i}") for i in range(40)]
    st, r = m.api("/events/add", {"Event": {"info": f"restsearch race {e}", "distribution": 0, "threat_level_id": 2,
                                            "analysis": 0, "Attribute": attrs}})
    assert st == 200, (st, str(r)[:300])
    ids.append(r["Event"]["id"])
stop = time.time() + secs
adds = []


def mutate():
    k = 0
    while time.time() < stop:
        k += 1
        ev = ids[k % len(ids)]
        st, r = m.api(f"/attributes/add/{ev}", {"Attribute": m.attr_payload("ip-dst", "Network activity", True,
                                                                           f"race-add-{k}-{time.time()}")})
        if st == 200:
            adds.append((round(time.time(), 3), ev, r["Attribute"]["timestamp"]))
        time.sleep(0.1)


t = threading.Thread(target=mutate, daemon=True)
t.start()
found = 0
n = 0
while time.time() < stop and found < 3:
    hi = int(time.time()) - 1
    body = {"limit": 3, "page": 1, "order": ["Event.timestamp asc", "Event.id asc"], "returnFormat": "json",
            "timestamp": [hi - 3, hi], "eventid": ids}
    sent = time.time()
    st, r = m.api("/events/restSearch", body)
    n += 1
    if st != 200:
        continue
    rows = [(e["Event"]["id"], int(e["Event"]["timestamp"])) for e in r["response"]]
    out = [x for x in rows if not hi - 3 <= x[1] <= hi]
    if out:
        found += 1
        print(json.dumps({"sent": round(sent, 3), "request": body, "returned (id, timestamp)": rows,
                          "outside window": out,
                          "adds just before": [a for a in adds if a[0] >= sent - 1.0]}))
t.join()
print(f"{n} requests, {len(adds)} adds, {found} response(s) with an event outside the requested window",
      file=sys.stderr)
sys.exit(1 if found else 0)
