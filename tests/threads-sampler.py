#!/usr/bin/env python3
"""tests/threads.sh's own reader of QEMU's vCPU threads, independent of
vmio-bench: wait for the pidfile libvirt writes for a vmio- domain, then
every 20 ms print "UNIX_TIME VCPU_TICKS TOTAL_TICKS": the sum of
utime + stime over the threads named "CPU n/..." and the process's own
total, from /proc/PID/task/*/stat and /proc/PID/stat, until the process
ends or the deadline passes.  Usage: threads-sampler.py PIDFILE-GLOB SECONDS"""
import glob, os, sys, time

def ticks(path):
    with open(path) as f:
        s = f.read()
    comm = s[s.index('(') + 1:s.rindex(')')]
    rest = s[s.rindex(')') + 2:].split()
    return comm, int(rest[11]) + int(rest[12])  # utime, stime: fields 14, 15

def main():
    pattern, limit = sys.argv[1], time.time() + float(sys.argv[2])
    pid = None
    while pid is None and time.time() < limit:
        for p in glob.glob(pattern):
            try:
                pid = int(open(p).read().strip())
            except (OSError, ValueError):
                pass
        time.sleep(0.05)
    if pid is None:
        return 1
    print("pid", pid, flush=True)
    while time.time() < limit:
        try:
            t = time.time()
            vcpu = 0
            for st in glob.glob("/proc/%d/task/*/stat" % pid):
                try:
                    comm, n = ticks(st)
                except (OSError, ValueError):
                    continue  # a thread that ended between glob and read
                if comm.startswith("CPU "):
                    vcpu += n
            total = ticks("/proc/%d/stat" % pid)[1]
            t = (t + time.time()) / 2
        except OSError:
            break  # QEMU is gone
        print("%.6f %d %d" % (t, vcpu, total), flush=True)
        time.sleep(0.02)
    return 0

sys.exit(main())
