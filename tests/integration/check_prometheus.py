"""Checks Prometheus text exposition (stdin) with prometheus_client's own parser (Debian's
python3-prometheus-client): it parses, every family has one # HELP and one # TYPE line, no series
appears twice, every misp_input_* sample carries non-empty stream_id and namespace labels, and
each argument NAME|LABEL=VALUE[,LABEL=VALUE]|N names a sample that exists with the value N.
  check_prometheus.py 'misp_input_documents_total|stream_id=attrs|300' < metrics.txt"""
import sys

from prometheus_client.parser import text_string_to_metric_families


def main():
    text = sys.stdin.read()
    errors = []
    try:
        families = list(text_string_to_metric_families(text))
    except Exception as e:  # the parser's verdict on the syntax
        print(f"FAIL: not valid exposition: {e}\n{text}")
        return 1
    helps, types = {}, {}
    for line in text.splitlines():
        for prefix, seen in (("# HELP ", helps), ("# TYPE ", types)):
            if line.startswith(prefix):
                name = line[len(prefix):].split(" ", 1)[0]
                seen[name] = seen.get(name, 0) + 1
    for name, n in list(helps.items()) + list(types.items()):
        if n != 1:
            errors.append(f"{name}: {n} HELP or TYPE lines")
    series, samples = set(), {}
    for family in families:
        for s in family.samples:
            if s.name not in types or s.name not in helps:
                errors.append(f"{s.name}: no # HELP or # TYPE line of its own")
            key = (s.name, tuple(sorted(s.labels.items())))
            if key in series:
                errors.append(f"duplicate series {key}")
            series.add(key)
            samples[key] = s.value
            if s.name.startswith("misp_input_") and not (
                    s.labels.get("stream_id") and s.labels.get("namespace")):
                errors.append(f"{s.name}{s.labels}: no stream_id or namespace label")
    for want in sys.argv[1:]:
        name, labels, value = want.split("|")
        pairs = dict(p.split("=", 1) for p in labels.split(",") if p)
        found = [v for (n, ls), v in samples.items() if n == name and pairs.items() <= dict(ls).items()]
        if not found or any(v != float(value) for v in found):
            errors.append(f"{want}: found {found}")
    for e in errors:
        print("FAIL: " + e)
    if not errors:
        print(f"prometheus: {len(families)} families, {len(series)} series, valid")
    return 1 if errors else 0


sys.exit(main())
