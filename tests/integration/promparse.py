#!/usr/bin/python3
# Reads a Prometheus text exposition (the file named, else stdin) with the official parser
# (prometheus_client, Debian's python3-prometheus-client: /usr/bin/python3,
# not a pyenv one) and prints one JSON object: "samples" maps each sample,
# written name{label="value",...} with its labels sorted, to its value;
# "types" maps each family to its type. A text the parser refuses is a
# message on stderr and exit status 1.
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

samples, types = {}, {}
try:
    with open(sys.argv[1], encoding="utf-8") if len(sys.argv) > 1 else sys.stdin as f:
        text = f.read()
    for family in text_string_to_metric_families(text):
        types[family.name] = family.type
        for s in family.samples:
            labels = ",".join('%s="%s"' % (k, v) for k, v in sorted(s.labels.items()))
            samples["%s{%s}" % (s.name, labels) if labels else s.name] = s.value
except Exception as e:  # the parser's own errors are ValueError, but any failure is one
    print("promparse: %s" % e, file=sys.stderr)
    sys.exit(1)
print(json.dumps({"samples": samples, "types": types}))
