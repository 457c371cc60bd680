"""`make run` as a user runs it: in a terminal, then Ctrl-C.

Within 60 s both gateways listen; a job sent with `lpr` and one with
`curl -T` land in the virtual printer's folder; Ctrl-C (SIGINT to the
terminal's foreground group) leaves no process behind. Runs in a private
network namespace (ctest: `unshare -n`): the stack's fixed ports are free
there and LPRng's name lookups cannot leave the machine.
Usage: make_run_test.py SOURCE_DIR BUILD_DIR
"""
import os
import pty
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

SOURCE, BUILD = (os.path.abspath(p) for p in sys.argv[1:3])
del sys.argv[1:3]


def listening(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


class MakeRunTest(unittest.TestCase):
    def test_make_run_prints_and_stops_on_ctrl_c(self):
        subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
        var = tempfile.mkdtemp()
        env = dict(os.environ, SPOOLGATE_VAR=var)
        pid, fd = pty.fork()
        if pid == 0:
            # As a login shell would: ctest may start us with SIGINT ignored.
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.chdir(SOURCE)
            os.execvpe("make", ["make", "run", "BUILD_DIR=" + BUILD], env)
        try:
            self.run_session(pid, fd, var)
        finally:
            try:
                os.killpg(pid, signal.SIGKILL)  # whatever a failure left running
            except ProcessLookupError:
                pass

    def run_session(self, pid, fd, var):
        output = b""
        deadline = time.time() + 60
        while time.time() < deadline and not (listening(5515) and listening(2121)
                                               and b"spoolctl queues" in output):
            ready, _, _ = select.select([fd], [], [], 0.5)
            if ready:
                try:
                    output += os.read(fd, 65536)
                except OSError:
                    break
        self.assertTrue(listening(5515) and listening(2121), output.decode(errors="replace"))
        self.assertIn(b"lpr -P office@127.0.0.1%5515", output)
        self.assertIn(b"curl -T", output)
        with open(var + "/job.txt", "w") as f:
            f.write("from make run\n")
        subprocess.run(["lpr", "-P", "office@127.0.0.1%5515", var + "/job.txt"], check=True, timeout=30)
        subprocess.run(["curl", "-sS", "-T", var + "/job.txt", "ftp://u:p@127.0.0.1:2121/office/"],
                       check=True, timeout=30)
        printed = []
        deadline = time.time() + 30
        while time.time() < deadline and len(printed) < 2:
            printed = [n for n in os.listdir(var + "/printer") if not n.startswith(".")]
            time.sleep(0.2)
        self.assertEqual(len(printed), 2, printed)
        for name in printed:
            with open(os.path.join(var, "printer", name)) as f:
                self.assertEqual(f.read(), "from make run\n")
        os.write(fd, b"\x03")  # Ctrl-C
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                os.read(fd, 65536)
            except OSError:
                pass
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                break
            time.sleep(0.2)
        time.sleep(1)
        left = subprocess.run(["pgrep", "-f", BUILD + "/services/"], capture_output=True,
                              text=True).stdout.split()
        self.assertEqual(left, [], "processes left behind after Ctrl-C")
        self.assertFalse(listening(5515) or listening(2121) or listening(7600))


if __name__ == "__main__":
    unittest.main(verbosity=2)
