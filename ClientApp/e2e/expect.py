#!/usr/bin/env python3
"""Expectations for dashboard.e2e.ts from a trace file in the original's line format.

Sums bytes per process and per file with a plain reading of EXECNAME|ISREAD|BYTES|PATH (path after the
third '|', a leading '??' stripped, ISREAD 0 = write), independently of the daemon's parser. Picks as
"process" a process with between 3 and 40 files. Usage: expect.py TRACE > expect.json
"""
import json
import sys

procs = {}
files = {}
with open(sys.argv[1], "rb") as f:
    for raw in f:
        line = raw.rstrip(b"\n")
        if line.endswith(b"\r"):
            line = line[:-1]
        parts = line.split(b"|", 3)
        if len(parts) < 4 or not parts[0]:
            continue
        flag = parts[1].lstrip(b"+-")
        if not flag.isdigit() or not parts[2].isdigit():
            continue
        size = int(parts[2])
        if size > 2**63 - 1:
            continue
        path = parts[3][2:] if parts[3].startswith(b"??") else parts[3]
        if not path:
            continue
        name = parts[0].decode("utf-8", "replace")
        p = path.decode("utf-8", "replace")
        key = "reads" if flag.strip(b"0") else "writes"
        procs.setdefault(name, {"reads": 0, "writes": 0})[key] += size
        files.setdefault(name, {}).setdefault(p, {"reads": 0, "writes": 0})[key] += size

candidates = sorted((n for n in files if 3 <= len(files[n]) <= 40), key=lambda n: -len(files[n]))
chosen = candidates[0] if candidates else max(files, key=lambda n: len(files[n]))
# A search across the files of all processes: the folder of the chosen process's busiest file, and every
# process with the bytes on its files whose path contains it.
busiest = max(files[chosen], key=lambda p: files[chosen][p]["reads"] + files[chosen][p]["writes"])
query = busiest.rsplit("/", 1)[0] + "/" if "/" in busiest.strip("/") else busiest
search = {}
for name, fs in files.items():
    for p, v in fs.items():
        if query in p:
            hit = search.setdefault(name, {"reads": 0, "writes": 0})
            hit["reads"] += v["reads"]
            hit["writes"] += v["writes"]
json.dump({"processes": procs, "process": chosen, "files": files[chosen], "search": {"query": query, "processes": search}},
          sys.stdout, ensure_ascii=False)
