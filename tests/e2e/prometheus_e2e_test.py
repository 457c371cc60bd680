"""A real Prometheus scrapes the four services with the shipped config.

Runs inside a private network namespace (ctest starts it under
`unshare -n`), so fixed ports are safe. Prints a job through each gateway
and asserts, through Prometheus's HTTP API, that the job counters rose and
the printer is up; `promtool check metrics` passes on every /metrics; and
every PromQL expression of the shipped Grafana dashboard and alert rules
names metrics that exist and returns data.
Usage: prometheus_e2e_test.py BUILD_DIR SOURCE_DIR
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse
import urllib.request

import yaml

BUILD, SOURCE = (os.path.abspath(p) for p in sys.argv[1:3])
del sys.argv[1:3]
PORTS = {"spooler": 9461, "lpd-gateway": 9462, "ftp-gateway": 9463, "printer-agent": 9464}


def http(url, timeout=10):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read().decode()


def wait_port(port, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("nothing listens on %d" % port)


class PrometheusTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
        cls.dir = tempfile.mkdtemp()
        cls.procs = []
        log = lambda name: open(os.path.join(cls.dir, name + ".log"), "w")
        b = BUILD + "/services/"
        cls.start([b + "spooler/spooler", "--data_dir=" + cls.dir + "/data", "--queues=office",
                   "--listen=127.0.0.1:7600", "--metrics_listen=127.0.0.1:9461",
                   "--min_free_disk_bytes=0"], log("spooler"))
        wait_port(7600)
        cls.start([b + "lpd-gateway/lpd-gateway", "--spooler=127.0.0.1:7600",
                   "--listen=127.0.0.1:5515", "--metrics_listen=127.0.0.1:9462"], log("lpd"))
        cls.start([b + "ftp-gateway/ftp-gateway", "--spooler=127.0.0.1:7600",
                   "--listen=127.0.0.1:2121", "--metrics_listen=127.0.0.1:9463"], log("ftp"))
        cls.start([b + "printer-agent/printer-agent", "--spooler=127.0.0.1:7600",
                   "--printer=virtual=office=dir:" + cls.dir + "/out",
                   "--metrics_listen=127.0.0.1:9464"], log("agent"))
        for port in (5515, 2121, 9461, 9462, 9463, 9464):
            wait_port(port)
        # The shipped scrape config, with the compose service names pointed
        # at loopback and a fast scrape interval for the test.
        shutil.copy(SOURCE + "/deploy/prometheus/alerts.yml", cls.dir)
        with open(SOURCE + "/deploy/prometheus/prometheus.yml") as f:
            config = f.read().replace("scrape_interval: 15s", "scrape_interval: 1s")
        for name, port in PORTS.items():
            config = config.replace('"%s:%d"' % (name, port), '"127.0.0.1:%d"' % port)
        with open(cls.dir + "/prometheus.yml", "w") as f:
            f.write(config)
        cls.start(["prometheus", "--config.file=" + cls.dir + "/prometheus.yml",
                   "--storage.tsdb.path=" + cls.dir + "/tsdb", "--web.listen-address=127.0.0.1:9090"],
                  log("prometheus"))
        wait_port(9090)
        cls.send_traffic()

    @classmethod
    def send_traffic(cls):
        """One job through each gateway, and one refused job."""
        data = b"printed through lpd\n"
        control = b"Hprom\nPalice\nJprom.txt\nldfA001prom\n"
        s = socket.create_connection(("127.0.0.1", 5515), timeout=20)
        for chunk in (b"\x02office\n", b"\x02%d cfA001prom\n" % len(control), control + b"\0",
                      b"\x03%d dfA001prom\n" % len(data), data + b"\0"):
            s.sendall(chunk)
            assert s.recv(1) == b"\0"
        s.close()
        with open(cls.dir + "/ftp.txt", "w") as f:
            f.write("printed through ftp\n")
        subprocess.run(["curl", "-sS", "-T", cls.dir + "/ftp.txt",
                        "ftp://u:p@127.0.0.1:2121/office/"], check=True, timeout=60)
        s = socket.create_connection(("127.0.0.1", 5515), timeout=20)
        s.sendall(b"\x02nosuchqueue\n")
        assert s.recv(1) not in (b"", b"\0")
        s.close()

    @classmethod
    def start(cls, argv, stderr):
        cls.procs.append(subprocess.Popen(argv, stdout=stderr, stderr=stderr))

    @classmethod
    def tearDownClass(cls):
        for p in reversed(cls.procs):
            p.terminate()
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def query(self, expr):
        url = "http://127.0.0.1:9090/api/v1/query?" + urllib.parse.urlencode({"query": expr})
        result = json.loads(http(url))["data"]["result"]
        return float(result[0]["value"][1]) if result else None

    def wait_query(self, expr, predicate, seconds=60):
        deadline = time.time() + seconds
        value = None
        while time.time() < deadline:
            value = self.query(expr)
            if value is not None and predicate(value):
                return value
            time.sleep(0.5)
        self.fail("%s never satisfied the check (last value %s)" % (expr, value))

    def test_counters_rise_and_the_printer_is_up(self):
        for job in PORTS:
            self.wait_query('up{job="%s"}' % job, lambda v: v == 1)
        self.wait_query('sum(spoolgate_lpd_jobs_received_total)', lambda v: v >= 1)
        self.wait_query('sum(spoolgate_ftp_uploads_total{result="accepted"})', lambda v: v >= 1)
        self.wait_query('sum(spoolgate_spooler_jobs_received_total{queue="office"})', lambda v: v >= 2)
        self.wait_query('sum(spoolgate_agent_jobs_printed_total)', lambda v: v >= 2)
        self.wait_query('spoolgate_agent_connected', lambda v: v == 1)
        self.wait_query('spoolgate_agent_printer_state{state="idle"}', lambda v: v == 1)
        self.wait_query('sum(spoolgate_spooler_printers{state="PRINTER_STATE_IDLE"})', lambda v: v == 1)
        rules = json.loads(http("http://127.0.0.1:9090/api/v1/rules"))["data"]["groups"]
        self.assertTrue(any(g["name"] == "spoolgate" for g in rules))

    def query_all(self, expr):
        url = "http://127.0.0.1:9090/api/v1/query?" + urllib.parse.urlencode({"query": expr})
        answer = json.loads(http(url))
        self.assertEqual(answer["status"], "success", expr)
        return answer["data"]["result"]

    def wait_for_data(self, expr, seconds=60):
        deadline = time.time() + seconds
        while time.time() < deadline:
            if self.query_all(expr):
                return
            time.sleep(1)
        self.fail("no data for: " + expr)

    def test_every_dashboard_and_alert_expression_has_data(self):
        with open(SOURCE + "/deploy/grafana/spoolgate-dashboard.json") as f:
            dashboard = json.load(f)
        panels = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
        with open(SOURCE + "/deploy/prometheus/alerts.yml") as f:
            alerts = [r["expr"] for g in yaml.safe_load(f)["groups"] for r in g["rules"]]
        self.assertGreater(len(panels), 5)
        self.assertGreater(len(alerts), 3)
        self.wait_query('sum(spoolgate_agent_jobs_printed_total)', lambda v: v >= 2)
        names = set(json.loads(http("http://127.0.0.1:9090/api/v1/label/__name__/values"))["data"])
        selector = re.compile(r'\b(spoolgate_[a-z0-9_]+|up)\b(\{[^}]*\})?')
        for expr in panels + alerts:
            for name, labels in selector.findall(expr):
                with self.subTest(metric=name, expr=expr):
                    self.assertIn(name, names)
                    # Each series the expression reads exists.
                    self.wait_for_data(name + labels)
        # A panel draws its expression: it must return data now. An alert's
        # expression returns data only while it fires, so it must evaluate.
        for expr in panels:
            with self.subTest(panel=expr):
                self.wait_for_data(expr)
        for expr in alerts:
            with self.subTest(alert=expr):
                self.query_all(expr)

    def test_promtool_accepts_every_metrics_page(self):
        for name, port in PORTS.items():
            page = http("http://127.0.0.1:%d/metrics" % port)
            check = subprocess.run(["promtool", "check", "metrics"], input=page, text=True,
                                   capture_output=True, timeout=60)
            self.assertEqual(check.returncode, 0, name + ": " + check.stdout + check.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
