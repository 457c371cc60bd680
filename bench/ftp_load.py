#!/usr/bin/env python3
"""FTP load: the real spooler and ftp-gateway on loopback.

1) --files (500) uploads of --file_kib (64) KiB over --sessions (4) sessions:
   files/s;
2) one --big_mib (1024) MiB STOR: MB/s and the gateway's peak RSS.
Usage: ftp_load.py BUILD_DIR [--files N] [--sessions N] [--file_kib N] [--big_mib N]
"""
import argparse
import ftplib
import io
import os
import shutil
import subprocess
import tempfile
import threading
import time


def wait_file(path, seconds=20):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if os.path.exists(path) and os.path.getsize(path) > 0:
            return open(path).read()
        time.sleep(0.05)
    raise SystemExit("no " + path)


def peak_rss_mib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    return 0


class Zeros(io.RawIOBase):
    """`size` bytes streamed without holding them."""

    def __init__(self, size):
        self.left = size

    def readable(self):
        return True

    def readinto(self, b):
        n = min(len(b), self.left)
        b[:n] = b"\0" * n
        self.left -= n
        return n


def main():
    p = argparse.ArgumentParser()
    p.add_argument("build")
    p.add_argument("--files", type=int, default=500)
    p.add_argument("--sessions", type=int, default=4)
    p.add_argument("--file_kib", type=int, default=64)
    p.add_argument("--big_mib", type=int, default=1024)
    a = p.parse_args()
    work = tempfile.mkdtemp()
    procs = []
    try:
        ready = work + "/spooler.ready"
        procs.append(subprocess.Popen(
            [a.build + "/services/spooler/spooler", "--data_dir=" + work + "/data",
             "--queues=bench", "--listen=127.0.0.1:0", "--metrics_listen=",
             "--ready_file=" + ready], stderr=open(work + "/spooler.log", "w")))
        spooler = int(wait_file(ready).split()[0])
        ready = work + "/ftp.ready"
        gateway = subprocess.Popen(
            [a.build + "/services/ftp-gateway/ftp-gateway", "--spooler=127.0.0.1:%d" % spooler,
             "--listen=127.0.0.1:0", "--metrics_listen=", "--ready_file=" + ready],
            stderr=open(work + "/ftp.log", "w"))
        procs.append(gateway)
        port = int(wait_file(ready).split()[0])

        payload = os.urandom(a.file_kib * 1024)
        counter = iter(range(a.files))
        lock = threading.Lock()
        errors = []

        def session():
            f = ftplib.FTP()
            f.connect("127.0.0.1", port, timeout=60)
            f.login("bench", "x")
            f.cwd("bench")
            while True:
                with lock:
                    n = next(counter, None)
                if n is None:
                    break
                r = f.storbinary("STOR f%d.bin" % n, io.BytesIO(payload))
                if not r.startswith("226"):
                    errors.append(r)
            f.quit()

        start = time.time()
        threads = [threading.Thread(target=session) for _ in range(a.sessions)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        took = time.time() - start
        print("%d files of %d KiB over %d sessions: %.0f files/s, %d errors" %
              (a.files, a.file_kib, a.sessions, a.files / took, len(errors)))

        if a.big_mib:
            f = ftplib.FTP()
            f.connect("127.0.0.1", port, timeout=600)
            f.login("bench", "x")
            f.cwd("bench")
            start = time.time()
            r = f.storbinary("STOR big.bin", io.BufferedReader(Zeros(a.big_mib << 20), 1 << 20),
                             blocksize=1 << 20)
            took = time.time() - start
            f.quit()
            print("one %d MiB STOR: %s in %.1f s, %.0f MB/s; ftp-gateway peak RSS %d MiB" %
                  (a.big_mib, "226" if r.startswith("226") else r, took,
                   (a.big_mib << 20) / took / 1e6, peak_rss_mib(gateway.pid)))
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
