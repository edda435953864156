#!/usr/bin/env python3
"""A recording of the bpftrace source with file and disk figures, and what the dashboard must show for it.

Writes what iosnoop.bt prints for one interval (sums per process and file of both layers, the path
components, the disks' block-layer totals, the interval marker) to TRACE, and the expected figures to
EXPECT (JSON), computed here from the numbers written, not by the daemon's parser. The files sit on the
device of / so that the daemon's mount table knows it. Usage: gen_disk_trace.py TRACE EXPECT [SEED]
"""
import json
import os
import random
import sys

trace_path, expect_path = sys.argv[1], sys.argv[2]
rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 7)
st = os.stat("/")
major, minor = os.major(st.st_dev), os.minor(st.st_dev)
dev = (major << 20) | minor
device = f"{major}:{minor}"
page = 4096

names = ["dk-reader", "dk-writer", "dk-cc1", "dk-tar", "dk-sqlite", "dk-idle"]
# bpftrace prints each map whole, in the program's order (B, N, C, then D, K, Q); a map printed again
# before the marker replaces its earlier print, so each map's lines are gathered first.
maps = {m: [] for m in "BNCDKQ"}
processes = {}
files = {}
ino = 5000
for pid, name in enumerate(names, start=3000):
    totals = {"reads": 0, "writes": 0, "diskReads": 0, "diskWrites": 0}
    files[name] = {}
    for i in range(rng.randint(3, 6)):
        ino += 1
        path = f"/e2e-disk/{name}/f{i}.bin"
        reads = rng.randint(0, 4000) * page
        writes = rng.randint(0, 3000) * page if name != "dk-reader" else 0
        # Some reads mostly from the cache, some more from the disk than asked (readahead).
        disk_reads = min(reads, rng.randint(0, 800) * page) if i % 3 else reads + rng.randint(1, 64) * page
        disk_writes = min(writes, rng.randint(0, 3000) * page)
        if name == "dk-idle":
            reads, writes, disk_reads, disk_writes = page, 0, 0, 0
        figures = {"reads": reads, "writes": writes, "diskReads": disk_reads, "diskWrites": disk_writes}
        files[name][path] = figures
        for k, v in figures.items():
            totals[k] += v
        key = f"{pid}, {name}, {dev}, {ino}, 1"
        for direction, size, disk in ((0, reads, disk_reads), (1, writes, disk_writes)):
            if size:
                maps["B"].append(f"@B0[{key}, {direction}]: {size}")
                maps["N"].append(f"@N0[{key}, {direction}]: {max(1, size // (64 * 1024))}")
            if disk:
                maps["D"].append(f"@D0[{key}, {direction}]: {disk}")
        parts = path.strip("/").split("/")[::-1]
        for idx, part in enumerate(parts):
            maps["C"].append(f"@C0[{dev}, {ino}, 1, {idx}, {len(part.encode())}]: {part}")
        maps["C"].append(f"@C0[{dev}, {ino}, 1, {len(parts)}, 0]: /")
    processes[name] = totals

attributed_reads = sum(p["diskReads"] for p in processes.values())
attributed_writes = sum(p["diskWrites"] for p in processes.values())
# The disk moved more than the processes were charged: journal and metadata.
metadata_reads, metadata_writes = 96 * page, 512 * page
device_reads = attributed_reads + metadata_reads
device_writes = attributed_writes + metadata_writes
maps["K"] += [
    f"@K0[{dev}, 0, 0]: {device_reads - metadata_reads}",
    f"@K0[{dev}, 0, 1]: {metadata_reads}",
    f"@K0[{dev}, 1, 0]: {device_writes - metadata_writes}",
    f"@K0[{dev}, 1, 1]: {metadata_writes}",
]
maps["Q"] += [
    f"@Q0[{dev}, 0, 0]: {device_reads // (128 * 1024) + 1}",
    f"@Q0[{dev}, 1, 0]: {device_writes // (128 * 1024) + 1}",
]
lines = ["READY", *(line for m in "BNCDKQ" for line in maps[m]), "T 1"]
with open(trace_path, "w") as f:
    f.write("\n".join(lines) + "\n")

chosen = max(names, key=lambda n: (len(files[n]), n))
expect = {
    "processes": processes,
    "process": chosen,
    "files": files[chosen],
    "device": device,
    "deviceReads": device_reads,
    "deviceWrites": device_writes,
    "attributedReads": attributed_reads,
    "attributedWrites": attributed_writes,
}
with open(expect_path, "w") as f:
    json.dump(expect, f, indent=1)
