#!/usr/bin/env python3
"""tests/threads.sh's own reader of QEMU's threads, independent of
vmio-bench: wait for the pidfile libvirt writes for a vmio- domain, then
every 20 ms print "UNIX_TIME VCPU IOTHREAD MAIN OTHER REST TOTAL" in clock
ticks: utime + stime summed over the threads of each long-lived class
(classed here by QEMU 7.2's names, as the README's table has them: "CPU
n/..." vcpu, "IO mon_iothread" other, "IO ..." iothread, the thread whose
id is the pid main, the rest but "worker" other), REST the process's own
total less those (the thread pool's workers, live or ended: run.json's
worker + exited), and the total, from /proc/PID/task/*/stat and
/proc/PID/stat, until the process ends or the deadline passes.
Usage: threads-sampler.py PIDFILE-GLOB SECONDS"""
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
            c = {"vcpu": 0, "iothread": 0, "main": 0, "other": 0}
            for st in glob.glob("/proc/%d/task/*/stat" % pid):
                try:
                    comm, n = ticks(st)
                except (OSError, ValueError):
                    continue  # a thread that ended between glob and read
                tid = int(st.split("/")[4])
                if comm.startswith("CPU "):
                    c["vcpu"] += n
                elif comm == "IO mon_iothread":
                    c["other"] += n
                elif comm.startswith("IO "):
                    c["iothread"] += n
                elif tid == pid:
                    c["main"] += n
                elif comm != "worker":
                    c["other"] += n
            total = ticks("/proc/%d/stat" % pid)[1]
            t = (t + time.time()) / 2
        except OSError:
            break  # QEMU is gone
        rest = total - sum(c.values())
        print("%.6f %d %d %d %d %d %d" % (t, c["vcpu"], c["iothread"], c["main"], c["other"], rest, total), flush=True)
        time.sleep(0.02)
    return 0

sys.exit(main())
