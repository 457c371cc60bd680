"""What offices send that tidy test clients do not: names in Latin-1 and
UTF-8, a spooler that goes away, Jetdirect habits, RFC 1179 details and
clients that resend a job.

Starts the real spooler, printer-agent (dir: device), lpd-gateway and
ftp-gateway on ephemeral loopback ports and drives them over raw sockets and
Python's ftplib. Usage: office_protocols_test.py BUILD_DIR
"""
import ftplib
import io
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import unittest

BUILD = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else "build"
LATIN1_USER = "M\xfcller".encode("latin-1")           # Müller, one byte per letter
UTF8_USER = "J\u00fcrgen".encode("utf-8")              # Jürgen in UTF-8
LATIN1_TITLE = "Bericht M\xe4rz.doc".encode("latin-1")
UTF8_CLASS = "Gr\u00fc\u00dfe".encode("utf-8")


def wait_for(predicate, seconds=30, what="condition"):
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)


def read_ports(path):
    wait_for(lambda: os.path.exists(path) and os.path.getsize(path) > 0, what=path)
    with open(path) as f:
        text = f.read()
    return [int(p) for p in text.split("\n")[0].split()]


class Stack:
    def __init__(self, root):
        self.root = root
        self.out = os.path.join(root, "out")
        os.makedirs(self.out)
        with open(os.path.join(root, "spooler.yaml"), "w") as f:
            f.write("queues:\n  - {name: office, accepting: true, enabled: true, banners: true}\n"
                    "  - {name: held, accepting: true, enabled: false}\n")
        self.spooler = None
        self.start_spooler()
        self.agent = self.spawn("agent", [BUILD + "/services/printer-agent/printer-agent",
                                          "--spooler=127.0.0.1:%d" % self.spooler_port,
                                          "--agent_id=a1", "--metrics_listen=",
                                          "--printer=p1=office=dir:" + self.out])
        ready = os.path.join(root, "lpd.ready")
        self.lpd = self.spawn("lpd", [BUILD + "/services/lpd-gateway/lpd-gateway",
                                      "--spooler=127.0.0.1:%d" % self.spooler_port,
                                      "--listen=127.0.0.1:0", "--metrics_listen=",
                                      "--ready_file=" + ready])
        self.lpd_port = read_ports(ready)[0]
        ready = os.path.join(root, "ftp.ready")
        self.ftp = self.spawn("ftp", [BUILD + "/services/ftp-gateway/ftp-gateway",
                                      "--spooler=127.0.0.1:%d" % self.spooler_port,
                                      "--listen=127.0.0.1:0", "--metrics_listen=",
                                      "--data_timeout_seconds=10", "--default_queue=office",
                                      "--ready_file=" + ready])
        self.ftp_port = read_ports(ready)[0]

    def spawn(self, name, argv):
        return subprocess.Popen(argv, stderr=open(os.path.join(self.root, name + ".log"), "a"))

    def start_spooler(self, port=0):
        ready = os.path.join(self.root, "spooler.ready%d" % time.monotonic_ns())
        self.spooler = self.spawn("spooler", [
            BUILD + "/services/spooler/spooler", "--config=" + self.root + "/spooler.yaml",
            "--data_dir=" + self.root + "/data", "--listen=127.0.0.1:%d" % port,
            "--metrics_listen=", "--min_free_disk_bytes=0", "--admin_hosts=127.0.0.1",
            "--ready_file=" + ready])
        self.spooler_port = read_ports(ready)[0]

    def stop(self):
        for p in (self.ftp, self.lpd, self.agent, self.spooler):
            if p and p.poll() is None:
                p.terminate()
                p.wait(timeout=30)

    def spoolctl(self, *args):
        return subprocess.run([BUILD + "/tools/spoolctl/spoolctl",
                               "--spooler=127.0.0.1:%d" % self.spooler_port] + list(args),
                              capture_output=True, timeout=60)

    def jobs(self):
        out = self.spoolctl("jobs", "--all", "--json").stdout.decode()
        return [json.loads(line) for line in out.splitlines() if line.strip()]

    def job(self, job_id):
        for j in self.jobs():
            if j["id"] == str(job_id):
                return j
        return None

    def printed(self, job_id):
        path = os.path.join(self.out, str(job_id))
        if not os.path.exists(path):
            return None
        with open(path, "rb") as f:
            return f.read()


class Lpd:
    """One raw LPD connection."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=20)

    def send(self, data):
        self.sock.sendall(data)

    def ack(self):
        b = self.sock.recv(1)
        return b[0] if b else None

    def read_all(self):
        chunks = []
        while True:
            b = self.sock.recv(65536)
            if not b:
                return b"".join(chunks)
            chunks.append(b)

    def close(self):
        self.sock.close()


def ftp_put(port, user, queue, name, data):
    """One upload with ftplib: login, cd QUEUE, put; returns the 226 reply."""
    f = ftplib.FTP()
    f.connect("127.0.0.1", port, timeout=20)
    f.login(user, "x")
    f.cwd(queue)
    reply = f.storbinary("STOR " + name, io.BytesIO(data))
    f.quit()
    return reply


def send_lpd_job(port, control, data, number=b"101", host=b"pc1", queue=b"office"):
    """Control file first, then one data file; returns the four acks."""
    c = Lpd(port)
    c.send(b"\x02" + queue + b"\n")
    acks = [c.ack()]
    cf_name = b"cfA" + number + host
    c.send(b"\x02%d %s\n" % (len(control), cf_name))
    acks.append(c.ack())
    c.send(control + b"\0")
    acks.append(c.ack())
    c.send(b"\x03%d dfA%s%s\n" % (len(data), number, host))
    acks.append(c.ack())
    c.send(data + b"\0")
    acks.append(c.ack())
    c.close()
    return acks


class OfficeProtocolsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp()
        cls.stack = Stack(cls.dir)

    @classmethod
    def tearDownClass(cls):
        cls.stack.stop()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def tearDown(self):
        if any(e for e in self._outcome.errors if e[1]) if hasattr(self._outcome, "errors") else False:
            for name in ("spooler", "lpd", "ftp", "agent"):
                sys.stderr.write(open(os.path.join(self.dir, name + ".log"), errors="replace").read())

    def lpq(self, queue=b"office", long=False):
        c = Lpd(self.stack.lpd_port)
        c.send((b"\x04" if long else b"\x03") + queue + b"\n")
        listing = c.read_all()
        c.close()
        return listing

    def wait_printed(self, job_id):
        return wait_for(lambda: self.stack.printed(job_id), what="job %s printed" % job_id)

    def newest_job(self):
        return max(self.stack.jobs(), key=lambda j: int(j["id"]))

    def test_latin1_and_utf8_in_every_control_line(self):
        data = b"Gr\xfc\xdfe aus dem B\xfcro\n" + bytes(range(256))
        control = (b"Hpc-m\xfcller\nP" + LATIN1_USER + b"\nJ" + LATIN1_TITLE + b"\nC" + UTF8_CLASS +
                   b"\nL" + UTF8_USER + b"\nM" + LATIN1_USER + b"\nT" + LATIN1_TITLE +
                   b"\nN" + LATIN1_TITLE + b"\nldfA101pc1\n")
        self.assertEqual(send_lpd_job(self.stack.lpd_port, control, data), [0, 0, 0, 0, 0])
        job = self.newest_job()
        self.assertEqual(job["user"], "M\u00fcller")            # shown as text, decoded as Latin-1
        self.assertEqual(job["title"], "Bericht M\u00e4rz.doc")
        self.assertEqual(job["control"]["job_class"], "Gr\u00fc\u00dfe")
        printed = self.wait_printed(job["id"])
        self.assertTrue(printed.endswith(data), "document bytes changed")
        banner = printed[:-len(data)]
        self.assertIn(UTF8_USER, banner)                        # the banner shows the bytes as sent
        listing = self.lpq(long=True)
        self.assertIn(LATIN1_USER, listing)                     # lpq: the same bytes back
        self.assertIn(LATIN1_TITLE, listing)

    def test_ftp_names_in_latin1_and_utf8_are_listed_back_as_sent(self):
        for name in (LATIN1_TITLE, "Stra\u00dfe \u20ac.txt".encode("utf-8"), b"\xf2\xf4\xff.txt"):
            f = ftplib.FTP(encoding="latin-1")
            f.connect("127.0.0.1", self.stack.ftp_port, timeout=20)
            f.login("m\xfcller", "x")
            self.assertTrue(f.sendcmd("OPTS UTF8 ON").startswith("200"))
            f.cwd("office")
            # ftplib sends 0xFF as it is, not as IAC IAC: kept as data all the same.
            reply = f.storbinary("STOR " + name.decode("latin-1"), io.BytesIO(b"ftp bytes\n"))
            self.assertTrue(reply.startswith("226"), reply)
            job_id = int(reply.split()[1])
            lines = []
            f.retrlines("LIST", lines.append)
            f.quit()
            listed = [l.encode("latin-1") for l in lines if l.split()[-1].startswith(str(job_id) + "-")]
            self.assertEqual(len(listed), 1, lines)
            self.assertTrue(listed[0].endswith(b"-" + name.replace(b" ", b"_")), listed[0])
            self.assertEqual(self.wait_printed(job_id), b"ftp bytes\n")

    def test_jetdirect_put_at_root_and_case_insensitive_queues(self):
        f = ftplib.FTP()
        f.connect("127.0.0.1", self.stack.ftp_port, timeout=20)
        f.login("carol", "x")
        reply = f.storbinary("STOR root.txt", io.BytesIO(b"at the root\n"))
        self.assertIn("queued on office", reply)                # --default_queue
        f.cwd("OFFICE")
        self.assertEqual(f.pwd(), "/office")
        reply = f.storbinary("STOR upper.txt", io.BytesIO(b"upper case cd\n"))
        self.assertIn("queued on office", reply)
        f.quit()
        self.assertEqual(self.wait_printed(int(reply.split()[1])), b"upper case cd\n")

    def test_dele_cancels_only_the_users_own_waiting_job(self):
        # held: printing disabled, jobs wait
        job_id = int(ftp_put(self.stack.ftp_port, "dave", "held", "mistake.txt", b"oops\n").split()[1])
        other = ftplib.FTP()
        other.connect("127.0.0.1", self.stack.ftp_port, timeout=20)
        other.login("erin", "x")
        other.cwd("held")
        with self.assertRaises(ftplib.error_perm):
            other.delete("mistake.txt")                        # not erin's job
        other.quit()
        f = ftplib.FTP()
        f.connect("127.0.0.1", self.stack.ftp_port, timeout=20)
        f.login("dave", "x")
        f.cwd("held")
        self.assertTrue(f.delete("%d-mistake.txt" % job_id).startswith("250"))
        f.quit()
        self.assertEqual(self.stack.job(job_id)["state"], "JOB_STATE_CANCELLED")

    def test_the_same_lpd_job_sent_twice_prints_once(self):
        control = b"Hpc2\nPfrank\nJretry\nldfA202pc2\n"
        data = b"sent twice, printed once\n"
        self.assertEqual(send_lpd_job(self.stack.lpd_port, control, data, b"202", b"pc2"), [0] * 5)
        first = self.newest_job()["id"]
        before = len(self.stack.jobs())
        self.assertEqual(send_lpd_job(self.stack.lpd_port, control, data, b"202", b"pc2"), [0] * 5)
        self.assertEqual(len(self.stack.jobs()), before)
        self.assertEqual(self.wait_printed(first), data)
        # Another job number is another job, even with the same bytes.
        self.assertEqual(send_lpd_job(self.stack.lpd_port, control.replace(b"202", b"203"), data,
                                      b"203", b"pc2"), [0] * 5)
        self.assertEqual(len(self.stack.jobs()), before + 1)

    def test_spoolctl_request_id_prints_once(self):
        path = os.path.join(self.dir, "invoice.txt")
        with open(path, "wb") as out:
            out.write(b"invoice 117\n")
        ids = []
        for _ in range(2):
            run = self.stack.spoolctl("print", path, "--queue=office", "--request_id=invoice-117",
                                      "--json")
            self.assertEqual(run.returncode, 0, run.stderr)
            ids.append(json.loads(run.stdout))
        self.assertEqual(ids[0]["job_id"], ids[1]["job_id"])
        self.assertFalse(ids[0]["duplicate"])
        self.assertTrue(ids[1]["duplicate"])
        self.assertEqual(self.wait_printed(ids[0]["job_id"]), b"invoice 117\n")

    def test_the_same_file_uploaded_twice_over_ftp_prints_twice(self):
        ids = []
        for _ in range(2):
            reply = ftp_put(self.stack.ftp_port, "gina", "office", "twice.txt", b"on purpose\n")
            ids.append(int(reply.split()[1]))
        self.assertNotEqual(ids[0], ids[1])
        for job_id in ids:
            self.assertEqual(self.wait_printed(job_id), b"on purpose\n")

    def test_rfc1179_banner_title_width_and_lpq(self):
        # L without a user still prints a banner (7.5); N titles pr output
        # when there is no T, even with a J (7.7, 7.10); W defaults to 132 (7.12).
        long_line = b"x" * 200 + b"\n"
        control = (b"Hpc3\nPhelen\nJjob name\nL\nNsource-name.txt\npdfA301pc3\n"
                   b"NF.txt\nfdfB301pc3\n")
        c = Lpd(self.stack.lpd_port)
        c.send(b"\x02office\n")
        self.assertEqual(c.ack(), 0)
        for name, body in ((b"dfA301pc3", b"pr text\n"), (b"dfB301pc3", long_line)):
            c.send(b"\x03%d %s\n" % (len(body), name))
            self.assertEqual(c.ack(), 0)
            c.send(body + b"\0")
            self.assertEqual(c.ack(), 0)
        c.send(b"\x02%d cfA301pc3\n" % len(control))
        self.assertEqual(c.ack(), 0)
        c.send(control + b"\0")
        self.assertEqual(c.ack(), 0)
        c.close()
        job = self.newest_job()
        printed = self.wait_printed(job["id"])
        self.assertIn(b"helen", printed.split(b"\f")[0])                 # banner for P's user
        self.assertIn(b"source-name.txt", printed)                      # pr header title
        self.assertIn(b"\n" + b"x" * 132 + b"\n", printed)              # 'f' cut at 132 columns
        self.assertNotIn(b"x" * 133, printed)
        # lpq lists the finished job with its outcome, and held jobs as held.
        ftp_put(self.stack.ftp_port, "helen", "held", "waiting.txt", b"w\n")
        wait_for(lambda: self.stack.job(job["id"])["state"] == "JOB_STATE_COMPLETED")
        self.assertIn(b"done   helen", self.lpq())
        held_id = self.newest_job()["id"]
        self.assertEqual(self.stack.spoolctl("hold", held_id).returncode, 0)
        self.assertIn(b"hold   helen", self.lpq(b"held"))
        self.assertEqual(self.stack.spoolctl("cancel", held_id, "--reason=no paper").returncode, 0)
        listing = self.lpq(b"held")
        self.assertIn(b"cancel helen", listing)
        self.assertIn(b"no paper", listing)

    def test_lprm_dash_all_from_root_removes_every_job_of_the_queue(self):
        for user in (b"ivan", b"judy"):
            ftp_put(self.stack.ftp_port, user.decode(), "held", "x.txt", b"x\n")
        waiting = lambda: [j for j in self.stack.jobs()
                           if j["queue"] == "held" and j["state"] == "JOB_STATE_PENDING"]
        self.assertGreaterEqual(len(waiting()), 2)
        c = Lpd(self.stack.lpd_port)
        c.send(b"\x05held\vroot\f-all\n")                     # VT and FF as separators
        reply = c.read_all()
        c.close()
        self.assertIn(b"dequeued", reply)
        self.assertEqual(waiting(), [])
        ftp_put(self.stack.ftp_port, "ivan", "held", "y.txt", b"y\n")
        c = Lpd(self.stack.lpd_port)
        c.send(b"\x05held -all\n")                             # BSD lprm - run by root
        reply = c.read_all()
        c.close()
        self.assertIn(b"dequeued", reply)
        self.assertEqual(waiting(), [])

    def test_zz_spooler_down_is_transient_and_printing_resumes(self):
        stack = self.stack
        f = ftplib.FTP()
        f.connect("127.0.0.1", stack.ftp_port, timeout=20)
        f.login("kim", "x")
        stack.spooler.kill()
        stack.spooler.wait()
        time.sleep(2.5)                                        # past the queue list's age
        for command in ("CWD office", "LIST", "STOR /office/x.txt", "STAT office"):
            try:
                reply = f.sendcmd("PASV") and f.sendcmd(command) if command.startswith(("LIST", "STOR")) \
                    else f.sendcmd(command)
            except ftplib.error_temp as e:
                reply = str(e)
            except ftplib.error_perm as e:
                self.fail("%s got a permanent reply with the spooler down: %s" % (command, e))
            self.assertTrue(reply.startswith("4"), "%s: %s" % (command, reply))
        f.close()
        fresh = socket.create_connection(("127.0.0.1", stack.ftp_port), timeout=20)
        greeting = fresh.makefile("rb").readline()
        fresh.close()
        self.assertTrue(greeting.startswith(b"421"), greeting)
        c = Lpd(stack.lpd_port)
        c.send(b"\x02office\n")
        self.assertEqual(c.ack(), 2)                          # LPD: code 2, try again later
        c.close()
        stack.start_spooler(port=stack.spooler_port)
        def upload():
            try:
                g = ftplib.FTP()
                g.connect("127.0.0.1", stack.ftp_port, timeout=20)
                g.login("kim", "x")
                g.cwd("office")
                reply = g.storbinary("STOR back.txt", io.BytesIO(b"back again\n"))
                g.quit()
                return int(reply.split()[1])
            except (ftplib.Error, OSError):
                return None
        job_id = wait_for(upload, 30, "an upload after the spooler's return")
        self.assertEqual(self.wait_printed(job_id), b"back again\n")


class FtpsTest(unittest.TestCase):
    """FTPS (RFC 4217) with --ftps_required, through ftplib, curl and lftp."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp()
        cls.stack = Stack(cls.dir)
        cert, key = os.path.join(cls.dir, "cert.pem"), os.path.join(cls.dir, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                        "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1"],
                       check=True, capture_output=True, timeout=60)
        ready = os.path.join(cls.dir, "ftps.ready")
        cls.ftps = cls.stack.spawn("ftps", [
            BUILD + "/services/ftp-gateway/ftp-gateway",
            "--spooler=127.0.0.1:%d" % cls.stack.spooler_port, "--listen=127.0.0.1:0",
            "--metrics_listen=127.0.0.1:0", "--data_timeout_seconds=10", "--ftps_cert=" + cert,
            "--ftps_key=" + key, "--ftps_required", "--ready_file=" + ready])
        cls.port = read_ports(ready)[0]
        with open(ready) as f:
            cls.metrics_port = int(f.read().split("\n")[1])

    def data_handshakes(self, session):
        import urllib.request
        text = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % self.metrics_port,
                                      timeout=10).read().decode()
        for line in text.splitlines():
            if (line.startswith("spoolgate_ftp_tls_handshakes_total") and 'connection="data"' in line
                    and 'session="%s"' % session in line):
                return float(line.split()[-1])
        return 0.0

    @classmethod
    def tearDownClass(cls):
        cls.ftps.terminate()
        cls.ftps.wait(timeout=30)
        cls.stack.stop()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def printed_job(self, reply):
        job_id = int(reply.split("Job ")[1].split()[0])
        return wait_for(lambda: self.stack.printed(job_id), what="job %d printed" % job_id)

    def tls_login(self):
        """An FTP_TLS session logged in as alice (AUTH TLS comes first)."""
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        f = ftplib.FTP_TLS(context=context)
        f.connect("127.0.0.1", self.port, timeout=20)
        f.login("alice", "x")
        return f

    def test_plain_user_is_refused_and_feat_lists_tls(self):
        f = ftplib.FTP()
        f.connect("127.0.0.1", self.port, timeout=20)
        self.assertIn("AUTH TLS", f.sendcmd("FEAT"))
        with self.assertRaises(ftplib.error_perm) as refused:
            f.sendcmd("USER alice")
        self.assertTrue(str(refused.exception).startswith("530"))
        f.close()

    def test_ftplib_prints_byte_exact_over_tls_with_session_reuse(self):
        f = self.tls_login()
        f.prot_p()
        f.cwd("office")
        for passive in (True, False):
            f.set_pasv(passive)
            data = os.urandom(300000)
            reply = f.storbinary("STOR secret.bin", io.BytesIO(data))
            self.assertTrue(reply.startswith("226"), reply)
            self.assertEqual(self.printed_job(reply), data)
        lines = []
        f.retrlines("LIST", lines.append)                    # a listing over TLS too
        self.assertTrue(any("secret.bin" in line for line in lines), lines)
        f.quit()

    def test_clear_data_is_refused_when_tls_is_required(self):
        f = self.tls_login()
        with self.assertRaises(ftplib.error_perm):
            f.storbinary("STOR clear.txt", io.BytesIO(b"in clear"))   # no PROT P
        f.close()

    def test_curl_ssl_reqd_prints_byte_exact(self):
        path = os.path.join(self.dir, "curl.bin")
        data = os.urandom(200000)
        with open(path, "wb") as out:
            out.write(data)
        # Passive only: Debian 12's curl 7.88 does no TLS on active data
        # connections (a regression of curl 7.87-7.88, fixed in 8.0); lftp and ftplib cover it.
        for mode in ([], ["--disable-epsv"]):                  # EPSV, then PASV
            before = {j["id"] for j in self.stack.jobs()}
            resumed = self.data_handshakes("resumed")
            run = subprocess.run(["curl", "-sS", "--ssl-reqd", "-k"] + mode +
                                 ["-T", path, "ftp://127.0.0.1:%d/office/" % self.port],
                                 capture_output=True, timeout=60)
            self.assertEqual(run.returncode, 0, run.stderr)
            new = [j for j in self.stack.jobs() if j["id"] not in before]
            self.assertEqual(len(new), 1)
            self.assertEqual(wait_for(lambda: self.stack.printed(new[0]["id"])), data)
            # curl resumes the control connection's TLS session on the data connection.
            self.assertEqual(self.data_handshakes("resumed"), resumed + 1, mode)

    def test_lftp_with_forced_tls_prints_byte_exact(self):
        path = os.path.join(self.dir, "lftp.txt")
        data = b"lftp over TLS\r\n" * 1000
        with open(path, "wb") as out:
            out.write(data)
        for passive in ("true", "false"):
            before = {j["id"] for j in self.stack.jobs()}
            script = ("set ftp:ssl-force true; set ftp:ssl-protect-data true; "
                      "set ftp:passive-mode %s; set ssl:verify-certificate no; "
                      "set net:max-retries 1; set net:timeout 20; "
                      "open -u bob,x ftp://127.0.0.1:%d; cd office; put %s; bye"
                      % (passive, self.port, path))
            run = subprocess.run(["lftp", "-c", script], capture_output=True, timeout=60)
            self.assertEqual(run.returncode, 0, run.stderr)
            new = [j for j in self.stack.jobs() if j["id"] not in before]
            self.assertEqual(len(new), 1, "passive " + passive)
            self.assertEqual(wait_for(lambda: self.stack.printed(new[0]["id"])), data)


class GatewayOptionsTest(unittest.TestCase):
    """Options that unit tests cover, through the running binaries: a
    per-queue allow-list from YAML, FTP over IPv6, --public_address and a
    users file."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp()
        cls.stack = Stack(cls.dir)
        config = os.path.join(cls.dir, "lpd.yaml")
        with open(config, "w") as f:
            f.write("queue_allow:\n  office: {cidrs: [127.0.0.2/32]}\n")
        ready = os.path.join(cls.dir, "lpd2.ready")
        cls.lpd = cls.stack.spawn("lpd2", [
            BUILD + "/services/lpd-gateway/lpd-gateway", "--config=" + config,
            "--spooler=127.0.0.1:%d" % cls.stack.spooler_port, "--listen=127.0.0.1:0",
            "--metrics_listen=", "--ready_file=" + ready])
        cls.lpd_port = read_ports(ready)[0]
        hashed = subprocess.run(["openssl", "passwd", "-6", "right"], capture_output=True,
                                text=True, check=True, timeout=30).stdout.strip()
        users = os.path.join(cls.dir, "ftp-users")
        with open(users, "w") as f:
            f.write("alice:%s\n" % hashed)
        ready = os.path.join(cls.dir, "ftp2.ready")
        cls.ftp = cls.stack.spawn("ftp2", [
            BUILD + "/services/ftp-gateway/ftp-gateway",
            "--spooler=127.0.0.1:%d" % cls.stack.spooler_port, "--listen=127.0.0.1:0,[::1]:0",
            "--metrics_listen=", "--users_file=" + users, "--public_address=192.0.2.7",
            "--ready_file=" + ready])
        cls.ftp_port, cls.ftp6_port = read_ports(ready)[:2]

    @classmethod
    def tearDownClass(cls):
        for p in (cls.lpd, cls.ftp):
            p.terminate()
            p.wait(timeout=30)
        cls.stack.stop()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_per_queue_allow_list_from_yaml(self):
        refused = Lpd(self.lpd_port)                          # from 127.0.0.1
        refused.send(b"\x02office\n")
        self.assertEqual(refused.ack(), 1)
        self.assertIn(b"127.0.0.1 may not use queue office", refused.read_all())
        refused.close()
        c = Lpd.__new__(Lpd)
        c.sock = socket.create_connection(("127.0.0.1", self.lpd_port), timeout=20,
                                          source_address=("127.0.0.2", 0))
        c.send(b"\x02office\n")
        self.assertEqual(c.ack(), 0)                          # 127.0.0.2 is on the list
        c.close()

    def test_users_file_with_a_real_client(self):
        f = ftplib.FTP()
        f.connect("127.0.0.1", self.ftp_port, timeout=20)
        with self.assertRaises(ftplib.error_perm) as wrong:
            f.login("alice", "wrong")
        self.assertTrue(str(wrong.exception).startswith("530"))
        f.close()
        path = os.path.join(self.dir, "users.txt")
        with open(path, "wb") as out:
            out.write(b"with a password\n")
        run = subprocess.run(["curl", "-sS", "-u", "alice:right", "-T", path,
                              "ftp://127.0.0.1:%d/office/" % self.ftp_port],
                             capture_output=True, timeout=60)
        self.assertEqual(run.returncode, 0, run.stderr)
        job = max(self.stack.jobs(), key=lambda j: int(j["id"]))
        self.assertEqual(job["user"], "alice")
        self.assertEqual(wait_for(lambda: self.stack.printed(job["id"])), b"with a password\n")

    def test_ftp_over_ipv6_with_epsv_and_eprt(self):
        path = os.path.join(self.dir, "v6.txt")
        with open(path, "wb") as out:
            out.write(b"over IPv6\n")
        for mode in ([], ["-P", "-"]):                         # EPSV, then EPRT
            before = {j["id"] for j in self.stack.jobs()}
            run = subprocess.run(["curl", "-sS", "-u", "alice:right"] + mode +
                                 ["-T", path, "ftp://[::1]:%d/office/" % self.ftp6_port],
                                 capture_output=True, timeout=60)
            self.assertEqual(run.returncode, 0, run.stderr)
            new = [j for j in self.stack.jobs() if j["id"] not in before]
            self.assertEqual(len(new), 1, mode)
            self.assertTrue(new[0]["origin"]["peer"].startswith("[::1]"), new[0]["origin"])
            self.assertEqual(wait_for(lambda: self.stack.printed(new[0]["id"])), b"over IPv6\n")

    def test_public_address_in_pasv_replies(self):
        f = ftplib.FTP()
        f.connect("127.0.0.1", self.ftp_port, timeout=20)
        f.login("alice", "right")
        self.assertIn("(192,0,2,7,", f.sendcmd("PASV"))
        self.assertTrue(f.sendcmd("EPSV").startswith("229"))   # EPSV names no address
        f.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
