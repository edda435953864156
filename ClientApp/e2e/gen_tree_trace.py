#!/usr/bin/env python3
"""A recording of the bpftrace source with many process instances, and a summary of the tree it makes.

Writes what iosnoop.bt prints (process starts @P, execs @E, ends @X, bytes @B and calls @N per process and
file, path components @C, interval markers T; the two map sets taking turns) to TRACE, and to SUMMARY (JSON)
the figures a measurement needs: how many instances, the pid and child count of the busiest parent.

The tree, as on a build server: systemd and a dozen long-lived daemons (running); make under buildd
(running) with thousands of gcc children, each with cc1 and as; postgres with short-lived backends; ssh
sessions whose shells run tools of a few thousand names; deep chains of nested shells (hundreds of levels);
and cron jobs of thousands of names filling the rest. Pids are not reused (pid_max 4194304). Every instance
reads or writes one file of a few thousand, on the device of / so that the daemon's mount table knows it.

Usage: gen_tree_trace.py TRACE SUMMARY [--instances N] [--seed S]
"""
import argparse
import json
import os
import random

ap = argparse.ArgumentParser()
ap.add_argument("trace")
ap.add_argument("summary")
ap.add_argument("--instances", type=int, default=100_000)
ap.add_argument("--seed", type=int, default=3)
args = ap.parse_args()
rng = random.Random(args.seed)

S = 1_000_000_000
MS = 1_000_000
st = os.stat("/")
dev = (os.major(st.st_dev) << 20) | os.minor(st.st_dev)
INTERVALS = 100
BASE = 60 * S  # the first interval starts a minute after boot

GCC_JOBS = 5_000
BACKENDS = 6_000
SESSIONS, COMMANDS = 500, 20
CHAINS, CHAIN_DEPTH = 10, 300
DAEMONS = ["sshd", "cron", "postgres", "nginx", "dockerd", "containerd", "rsyslogd", "buildd", "cupsd",
           "systemd-udevd", "systemd-journal", "agent"]
TOOLS = ["ls", "grep", "cat", "git", "vim", "less", "awk", "sed", "find", "tar", "gzip", "python3"] + [f"tool-{k}" for k in range(2_000)]
JOB_NAMES = 5_000
fixed = 1 + len(DAEMONS) + 1 + GCC_JOBS * 3 + BACKENDS + SESSIONS * (COMMANDS + 2) + CHAINS * CHAIN_DEPTH
if args.instances < fixed + 2:
    raise SystemExit(f"--instances: at least {fixed + 2}")
CRON_PAIRS = (args.instances - fixed) // 2
single_tools = args.instances - fixed - CRON_PAIRS * 2  # 0 or 1

# Files: a few thousand paths; their components are printed the first time an interval uses them.
FILES = [f"/var/lib/e2etree/d{i % 64:02d}/f{i:05d}.dat" for i in range(4_000)]
file_seen = set()


class Interval:
    def __init__(self, index):
        self.index = index
        self.set = index % 2
        self.starts, self.execs, self.ends, self.bytes, self.calls, self.components = [], [], [], [], [], []


intervals = [Interval(i) for i in range(INTERVALS)]
next_pid = 2
instances = 0


def at(i, offset):
    return BASE + i * S + offset


def add(interval, ppid, pstart, parent_name, name, start, lifetime=None, exit_code=1):
    """One instance: its start (as a fork of its parent, then an exec), bytes on a file, and its end."""
    global next_pid, instances
    pid = next_pid
    next_pid += 1
    instances += 1
    iv = intervals[interval]
    iv.starts.append(f"@P{iv.set}[{pid}, {start}, {ppid}, {pstart}, 0]: {parent_name}")
    iv.execs.append(f"@E{iv.set}[{pid}, {start}, {start + 1000}, 0, 0, 0, 0]: {name}")
    f = rng.randrange(len(FILES))
    direction = rng.randrange(2)
    size = rng.randint(1, 512) * 1024
    iv.bytes.append(f"@B{iv.set}[{pid}, {name}, {dev}, {10_000 + f}, 1, {direction}]: {size}")
    iv.calls.append(f"@N{iv.set}[{pid}, {name}, {dev}, {10_000 + f}, 1, {direction}]: {max(1, size // 65536)}")
    if f not in file_seen:
        file_seen.add(f)
        parts = FILES[f].strip("/").split("/")[::-1]
        for idx, part in enumerate(parts):
            iv.components.append(f"@C{iv.set}[{dev}, {10_000 + f}, 1, {idx}, {len(part)}]: {part}")
        iv.components.append(f"@C{iv.set}[{dev}, {10_000 + f}, 1, {len(parts)}, 0]: /")
    if lifetime is not None:
        iv.ends.append(f"@X{iv.set}[{pid}, {start}, {lifetime}, {exit_code}]: {name}")
    return pid


def spread(n):
    """n items over the intervals: (interval, offset within it in ns) each, in order."""
    for k in range(n):
        interval = k * INTERVALS // n
        yield interval, (k % max(1, n // INTERVALS)) * (900 * MS // max(1, n // INTERVALS))


systemd_start = 1 * S
# pid 1 has no parent; its @P is printed like any other start.
intervals[0].starts.append(f"@P0[1, {systemd_start}, 0, 0, 0]: swapper/0")
intervals[0].execs.append(f"@E0[1, {systemd_start}, {systemd_start + 1000}, 0, 0, 0, 0]: systemd")
instances += 1
daemon = {}
for k, name in enumerate(DAEMONS):
    start = 2 * S + k * MS
    daemon[name] = (add(0, 1, systemd_start, "systemd", name, start), start)
make_start = 3 * S
make_pid = add(0, daemon["buildd"][0], daemon["buildd"][1], "buildd", "make", make_start)

for interval, offset in spread(GCC_JOBS):
    t = at(interval, offset)
    gcc = add(interval, make_pid, make_start, "make", "gcc", t, lifetime=60 * MS)
    add(interval, gcc, t, "gcc", "cc1", t + 1 * MS, lifetime=40 * MS)
    add(interval, gcc, t, "gcc", "as", t + 45 * MS, lifetime=10 * MS)

pg_pid, pg_start = daemon["postgres"]
for interval, offset in spread(BACKENDS):
    add(interval, pg_pid, pg_start, "postgres", "postgres", at(interval, offset) + 2 * MS, lifetime=rng.randint(1, 90) * MS)

sshd_pid, sshd_start = daemon["sshd"]
for interval, offset in spread(SESSIONS):
    t = at(interval, offset) + 3 * MS
    session = add(interval, sshd_pid, sshd_start, "sshd", "sshd", t, lifetime=80 * MS)
    shell = add(interval, session, t, "sshd", "bash", t + 1 * MS, lifetime=75 * MS)
    for c in range(COMMANDS):
        add(interval, shell, t + 1 * MS, "bash", rng.choice(TOOLS), t + 2 * MS + c * 3 * MS, lifetime=2 * MS)

# Deep chains: a shell that starts a shell that starts a shell..., each level ending after the one below it.
for chain in range(CHAINS):
    interval = chain * INTERVALS // CHAINS
    t0 = at(interval, 5 * MS)
    parent, parent_start, parent_name = sshd_pid, sshd_start, "sshd"
    for depth in range(CHAIN_DEPTH):
        start = t0 + depth * MS // 10
        name = "sh" if depth % 2 else "bash"
        end = t0 + CHAIN_DEPTH * MS // 10 + (CHAIN_DEPTH - depth) * MS // 10
        parent = add(interval, parent, parent_start, parent_name, name, start, lifetime=end - start)
        parent_start, parent_name = start, name

cron_pid, cron_start = daemon["cron"]
for interval, offset in spread(CRON_PAIRS):
    t = at(interval, offset) + 4 * MS
    sh = add(interval, cron_pid, cron_start, "cron", "sh", t, lifetime=30 * MS)
    add(interval, sh, t, "sh", f"job-{rng.randrange(JOB_NAMES)}", t + 1 * MS, lifetime=25 * MS, exit_code=rng.choice([1, 1, 1, 2]))
for _ in range(single_tools):
    add(INTERVALS - 1, daemon["agent"][0], daemon["agent"][1], "agent", "tool-0", at(INTERVALS - 1, 950 * MS), lifetime=MS)

assert instances == args.instances, (instances, args.instances)
with open(args.trace, "w") as out:
    out.write("READY\n")
    for iv in intervals:
        # bpftrace prints each map whole, in the program's order: bytes, calls, components, starts, execs, ends.
        for lines in (iv.bytes, iv.calls, iv.components, iv.starts, iv.execs, iv.ends):
            if lines:
                out.write("\n".join(lines) + "\n")
        out.write(f"T {BASE + (iv.index + 1) * S}\n")

with open(args.summary, "w") as out:
    json.dump({
        "instances": instances,
        "busiestParent": {"name": "make", "pid": make_pid, "children": GCC_JOBS},
        "chainDepth": CHAIN_DEPTH,
        "running": 1 + len(DAEMONS) + 1,
    }, out, indent=1)
