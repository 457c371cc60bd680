"""FTP gateway against broken and hostile clients.

Each case checks the reply and that nothing is queued, and then that the
gateway still serves an ordinary upload. Starts the real spooler and
ftp-gateway on ephemeral loopback ports. Usage: ftp_hostile_test.py BUILD_DIR
"""
import ftplib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

BUILD = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else "build"


def wait_file(path, seconds=20):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if os.path.exists(path) and os.path.getsize(path) > 0:
            with open(path) as f:
                return f.read()
        time.sleep(0.05)
    raise AssertionError("no " + path)


class Control:
    """A raw control connection reading replies line by line."""

    def __init__(self, port, source=None):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=20,
                                             source_address=source)
        self.file = self.sock.makefile("rb")

    def reply(self):
        line = self.file.readline().decode("latin-1")
        if not line:
            return ""
        if len(line) > 3 and line[3] == "-":
            code = line[:3]
            while True:
                more = self.file.readline().decode("latin-1")
                if not more or more.startswith(code + " "):
                    return line + more
                line += more
        return line

    def cmd(self, text):
        self.sock.sendall(text.encode("latin-1") + b"\r\n")
        return self.reply()

    def close(self):
        self.sock.close()


class FtpHostileTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp()
        config = os.path.join(cls.dir, "spooler.yaml")
        with open(config, "w") as f:
            f.write("queues:\n  - {name: office, accepting: true, enabled: true}\n"
                    "  - {name: closed, accepting: false, enabled: true}\n")
        cls.config = config
        cls.start_spooler()
        cls.start_gateway()

    @classmethod
    def start_spooler(cls):
        ready = os.path.join(cls.dir, "spooler.ready%d" % time.monotonic_ns())
        cls.spooler = subprocess.Popen(
            [BUILD + "/services/spooler/spooler", "--config=" + cls.config,
             "--data_dir=" + cls.dir + "/data", "--listen=127.0.0.1:0", "--metrics_listen=",
             "--min_free_disk_bytes=0", "--ready_file=" + ready],
            stderr=open(cls.dir + "/spooler.log", "a"))
        cls.spooler_port = int(wait_file(ready).split()[0])

    @classmethod
    def start_gateway(cls):
        ready = os.path.join(cls.dir, "ftp.ready%d" % time.monotonic_ns())
        cls.gateway = subprocess.Popen(
            [BUILD + "/services/ftp-gateway/ftp-gateway",
             "--spooler=127.0.0.1:%d" % cls.spooler_port, "--listen=127.0.0.1:0",
             "--metrics_listen=", "--max_sessions=3", "--idle_timeout_seconds=3",
             "--data_timeout_seconds=5", "--ready_file=" + ready],
            stderr=open(cls.dir + "/ftp.log", "a"))
        cls.port = int(wait_file(ready).split()[0])

    @classmethod
    def tearDownClass(cls):
        for p in (cls.gateway, cls.spooler):
            p.terminate()
            p.wait(timeout=30)
        shutil.rmtree(cls.dir, ignore_errors=True)

    def jobs(self):
        out = subprocess.run([BUILD + "/tools/spoolctl/spoolctl",
                              "--spooler=127.0.0.1:%d" % self.spooler_port, "jobs", "--all",
                              "--json"], capture_output=True, text=True, timeout=30).stdout
        return [json.loads(line) for line in out.splitlines() if line.strip()]

    def login(self, source=None):
        c = Control(self.port, source)
        self.assertTrue(c.reply().startswith("220"))
        self.assertTrue(c.cmd("USER alice").startswith("331"))
        self.assertTrue(c.cmd("PASS x").startswith("230"))
        return c

    def upload_works(self, name="ok.txt"):
        before = len(self.jobs())
        f = ftplib.FTP()
        f.connect("127.0.0.1", self.port, timeout=20)
        f.login("bob", "x")
        f.cwd("office")
        reply = f.storbinary("STOR " + name, __import__("io").BytesIO(b"still serving\n"))
        f.quit()
        self.assertTrue(reply.startswith("226"), reply)
        self.assertIn("queued on office", reply)
        self.assertEqual(len(self.jobs()), before + 1)

    # Commands a hostile or broken client sends, each with the exact reply
    # line it must get; the session goes on after each.
    CATALOGUE = [
        ("CWD ../../etc", "550 No such queue: ../../etc"),
        ("CWD /office/../../root", "550 No such queue: office/../../root"),
        ("CWD off\x00ice", "550 No such queue: off?ice"),  # control bytes are not echoed
        ("CWD \x1b[2Joffice", "550 No such queue: ?[2Joffice"),
        ("MKD newqueue", "550 Queues are created by the administrator"),
        ("RMD office", "550 Queues are created by the administrator"),
        ("RETR /office/1-job", "550 This is a print server: files can be put, not fetched"),
        ("SITE EXEC /bin/sh", "502 No SITE commands"),
        ("PORT 127,0,0,1,0,22", "500 Refusing a privileged data port"),
        ("PORT 1,2,3", "501 PORT needs h1,h2,h3,h4,p1,p2"),
        ("EPRT |9|127.0.0.1|4000|", "522 Network protocol not supported, use (1,2)"),
        ("TYPE X", "504 Type not supported; use A or I"),
        ("MODE B", "504 Only stream mode (S) is supported"),
        ("STRU R", "504 Only file structure (F) is supported"),
        ("DELE ../../etc/passwd", "501 DELE needs a job name from LIST"),
        ("RNFR /office/x", "502 Rename not supported"),
        ("X" * 600, "500 Syntax error, command unrecognised"),
        ("\x01\x02\x03", "500 Syntax error, command unrecognised"),
    ]

    def test_catalogue_of_hostile_commands(self):
        before = len(self.jobs())
        c = self.login()
        for command, expected in self.CATALOGUE:
            reply = c.cmd(command).rstrip("\r\n")
            if os.environ.get("SHOW_REPLIES"):
                print(repr(command[:40]), "=>", repr(reply))
            with self.subTest(command=command[:40]):
                self.assertEqual(reply, expected)
        self.assertTrue(c.cmd("NOOP").startswith("200"))  # the session goes on
        c.close()
        self.assertEqual(len(self.jobs()), before)
        self.upload_works()

    def test_port_to_another_address_is_refused(self):
        trap = socket.socket()
        trap.bind(("127.0.0.2", 0))
        trap.listen(1)
        trap.settimeout(1)
        p = trap.getsockname()[1]
        c = self.login()
        self.assertTrue(c.cmd("PORT 127,0,0,2,%d,%d" % (p // 256, p % 256)).startswith("500"))
        self.assertTrue(c.cmd("EPRT |1|127.0.0.2|%d|" % p).startswith("500"))
        self.assertTrue(c.cmd("STOR /office/x").startswith("425"))
        with self.assertRaises(socket.timeout):
            trap.accept()  # nothing ever connected there
        c.close()
        self.upload_works()

    def test_passive_connection_from_another_address_is_refused(self):
        before = len(self.jobs())
        c = self.login()
        reply = c.cmd("EPSV")
        self.assertTrue(reply.startswith("229"), reply)
        port = int(reply.split("|||")[1].split("|")[0])
        c.sock.sendall(b"STOR /office/stolen.txt\r\n")
        rogue = socket.create_connection(("127.0.0.1", port), timeout=5,
                                         source_address=("127.0.0.2", 0))
        rogue.sendall(b"rogue data")
        rogue.settimeout(5)
        try:
            self.assertEqual(rogue.recv(10), b"")  # closed by the gateway ...
        except ConnectionResetError:
            pass  # ... or reset, as it had unread data
        rogue.close()
        self.assertTrue(c.reply().startswith("425"))  # the real client never came
        c.close()
        self.assertEqual(len(self.jobs()), before)
        self.upload_works()

    def test_too_many_sessions_get_421(self):
        held = [self.login() for _ in range(3)]
        extra = Control(self.port)
        self.assertTrue(extra.reply().startswith("421"))
        extra.close()
        for c in held:
            c.cmd("QUIT")
            c.close()
        time.sleep(0.3)
        self.upload_works()

    def test_idle_session_times_out_with_421(self):
        c = self.login()
        c.sock.settimeout(10)
        self.assertTrue(c.reply().startswith("421"))
        c.close()
        self.upload_works()

    def test_abor_mid_upload_discards_the_job(self):
        before = len(self.jobs())
        c = self.login()
        reply = c.cmd("EPSV")
        port = int(reply.split("|||")[1].split("|")[0])
        c.sock.sendall(b"STOR /office/aborted.bin\r\n")
        data = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.assertTrue(c.reply().startswith("150"))
        data.sendall(b"x" * 200000)
        c.sock.sendall(b"\xff\xf4\xff\xf2ABOR\r\n")
        self.assertTrue(c.reply().startswith("426"))
        self.assertTrue(c.reply().startswith("226"))
        data.close()
        c.close()
        self.assertEqual(len(self.jobs()), before)
        self.upload_works()

    def test_dropped_data_connection_leaves_no_job(self):
        before = len(self.jobs())
        c = self.login()
        reply = c.cmd("EPSV")
        port = int(reply.split("|||")[1].split("|")[0])
        c.sock.sendall(b"STOR /office/cut.bin\r\n")
        data = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.assertTrue(c.reply().startswith("150"))
        data.sendall(b"y" * 100000)
        data.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        data.close()  # RST
        self.assertTrue(c.reply().startswith("426"))
        c.close()
        self.assertEqual(len(self.jobs()), before)
        self.upload_works()

    def test_unknown_queue_and_queue_not_accepting(self):
        c = self.login()
        self.assertTrue(c.cmd("CWD nope").startswith("550"))
        self.assertTrue(c.cmd("STOR /nope/x").startswith("553"))
        self.assertTrue(c.cmd("STOR /closed/x").startswith("550"))
        c.close()
        self.upload_works()

    def test_huge_command_line_and_garbage(self):
        c = self.login()
        c.sock.sendall(b"STOR " + b"A" * (1 << 20) + b"\r\n")
        self.assertTrue(c.reply().startswith("500"))
        self.assertTrue(c.cmd("NOOP").startswith("200"))
        c.sock.sendall(bytes(range(128, 256)) * 16 + b"\r\n")  # one line of binary
        self.assertTrue(c.reply().startswith("500"))
        self.assertTrue(c.cmd("NOOP").startswith("200"))
        c.close()
        self.upload_works()

    def test_spooler_killed_mid_upload_queues_nothing(self):
        c = self.login()
        reply = c.cmd("EPSV")
        port = int(reply.split("|||")[1].split("|")[0])
        c.sock.sendall(b"STOR /office/doomed.bin\r\n")
        data = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.assertTrue(c.reply().startswith("150"))
        data.sendall(b"z" * 300000)
        type(self).spooler.send_signal(signal.SIGKILL)
        type(self).spooler.wait(timeout=10)
        try:
            data.sendall(b"z" * 300000)
        except OSError:
            pass
        data.close()
        final = c.reply()
        self.assertFalse(final.startswith("226"), final)
        self.assertTrue(final[:1] in ("4", "5") or final == "", final)
        c.close()
        # Restart on the same data: the half upload is gone.
        self.gateway.terminate()
        self.gateway.wait(timeout=30)
        self.start_spooler()
        self.start_gateway()
        self.assertFalse([j for j in self.jobs() if j.get("title") == "doomed.bin"])
        self.upload_works()


if __name__ == "__main__":
    unittest.main(verbosity=2)
