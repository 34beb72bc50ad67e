#!/usr/bin/python3 -I
# SPDX-License-Identifier: Apache-2.0
# Runs a command as a child subreaper and reaps every orphan under it.
# Shims (ours and containerd's) daemonize and are reparented to the nearest
# subreaper; without one they go to PID 1, which in a container may never
# reap them, leaving a zombie per container the bench ran.
#   reaper.py COMMAND [ARG...]
import ctypes
import os
import signal
import sys

PR_SET_CHILD_SUBREAPER = 36

libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
    sys.exit("reaper: prctl(PR_SET_CHILD_SUBREAPER): errno %d" % ctypes.get_errno())
child = os.fork()
if child == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
# A terminal's ^C reaches the child through its process group already.
signal.signal(signal.SIGINT, signal.SIG_IGN)
for s in (signal.SIGTERM, signal.SIGHUP):
    signal.signal(s, lambda n, _f: os.kill(child, n))
status = 111
while True:
    try:
        pid, st = os.wait()
    except ChildProcessError:
        break
    if pid == child:
        status = os.waitstatus_to_exitcode(st)
        break
sys.exit(status if status >= 0 else 128 - status)
