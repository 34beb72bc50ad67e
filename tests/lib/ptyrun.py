#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Run a command on a new pseudo-terminal, as a login shell would have it.

    ptyrun.py [--send|--type TEXT --after MARKER]... [--timeout S] -- CMD...

The command runs in a new session whose controlling terminal is the pty
(stdin, stdout and stderr all on it); PTY_RDEV=MAJOR:MINOR (decimal) names
that terminal's device in its environment. Each TEXT is typed (with a
newline; with --type, as it is) once MARKER has appeared in the output.
Prints what the terminal showed (\\r dropped) and exits with the command's status (124 on timeout).
"""
import fcntl
import os
import select
import sys
import termios
import time


def main():
    args = sys.argv[1:]
    sends, timeout = [], 30.0
    while args and args[0] != "--":
        if args[0] in ("--send", "--type"):
            end = "\n" if args[0] == "--send" else ""
            sends.append([args[1] + end, args[3], False])
            assert args[2] == "--after"
            args = args[4:]
        elif args[0] == "--timeout":
            timeout, args = float(args[1]), args[2:]
        else:
            sys.exit("ptyrun.py: bad argument " + args[0])
    cmd = args[1:]
    master, slave = os.openpty()
    rdev = os.fstat(slave).st_rdev
    pid = os.fork()
    if pid == 0:
        os.setsid()
        os.close(master)
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        for fd in (0, 1, 2):
            os.dup2(slave, fd)
        if slave > 2:
            os.close(slave)
        os.environ["PTY_RDEV"] = "%d:%d" % (os.major(rdev), os.minor(rdev))
        os.execvp(cmd[0], cmd)
    os.close(slave)
    out, status, deadline = b"", None, time.monotonic() + timeout
    while True:
        ready, _, _ = select.select([master], [], [], 0.05)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: every holder of the terminal closed it
                data = b""
            if not data and status is not None:
                break
            out += data
        for s in sends:
            if not s[2] and s[1].encode() in out:
                os.write(master, s[0].encode())
                s[2] = True
        if status is None:
            done, st = os.waitpid(pid, os.WNOHANG)
            if done:
                status = os.waitstatus_to_exitcode(st)
                deadline = min(deadline, time.monotonic() + 1)
        if time.monotonic() > deadline:
            if status is None:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
                status = 124
            break
    sys.stdout.write(out.decode(errors="replace").replace("\r", ""))
    sys.exit(status if status >= 0 else 128 - status)


main()
