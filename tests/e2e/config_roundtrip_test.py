"""Every flag of a service round-trips through its YAML config file.

Usage: config_roundtrip_test.py BINARY

Asks the binary for its effective configuration (--print_config), writes a
YAML file that gives every flag a value other than its default, and checks
that the binary reports exactly those values; then that each flag given on
the command line wins over the file, and that unknown keys are refused.
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

BINARY = os.path.abspath(sys.argv.pop(1))
NAME = os.path.basename(BINARY)


def effective(*args):
    out = subprocess.run([BINARY, "--print_config", *args], capture_output=True, text=True,
                         timeout=30)
    if out.returncode != 0:
        raise AssertionError(f"{NAME} exited {out.returncode}: {out.stderr}")
    config = {}
    for line in out.stdout.splitlines():
        key, rest = line.split(": ", 1)
        value, kind = rest.rsplit("  # ", 1)
        config[key] = (json.loads(value), kind)
    return config


def other_value(key, value, kind, variant):
    """A value of the flag's type that is neither its default nor `variant`'s other."""
    if kind == "string":
        return f"{variant}-{key}"
    if kind == "bool":
        return not value if variant == "yaml" else value
    if kind in ("int32", "uint32", "int64", "uint64"):
        return int(value) + (3 if variant == "yaml" else 4)
    if kind == "double":
        return float(value) + (0.5 if variant == "yaml" else 0.25)
    if kind == "list":
        return [f"{variant}-{key}-1", f"{variant}-{key}-2"]
    raise AssertionError(f"{key}: no test value for type {kind}")


def command_line(key, value, kind):
    if kind == "list":
        return f"--{key}={','.join(value)}"
    if kind == "bool":
        return f"--{key}={'true' if value else 'false'}"
    return f"--{key}={value}"


# Settings that are structures, not flags: YAML in, what --print_config shows.
STRUCTURED = {
    "spooler": ("queues: [office, {name: lab, description: Lab, max_job_bytes: 1000}]\n",
                "queues", ["office", {"name": "lab", "description": "Lab", "max_job_bytes": "1000"}]),
    "printer-agent": ("printers: [{name: p1, queue: office, uri: 'dir:/tmp/p1'}]\n",
                      "printers", [{"name": "p1", "queue": "office", "uri": "dir:/tmp/p1"}]),
    "lpd-gateway": ("queue_allow: {lab: {cidrs: [127.0.0.2/32]}}\n",
                    "queue_allow", {"lab": {"cidrs": ["127.0.0.2/32"]}}),
}


class ConfigRoundTrip(unittest.TestCase):
    def setUp(self):
        self.defaults = {k: v for k, v in effective().items() if v[1] != "setting"}
        self.assertIn("metrics_listen", self.defaults)  # every service has it
        self.dir = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.dir.cleanup()

    def write_config(self, values):
        path = os.path.join(self.dir.name, "config.yaml")
        with open(path, "w") as f:
            for key, value in values.items():
                f.write(f"{key}: {json.dumps(value)}\n")
        return path

    def test_every_flag_is_a_yaml_key(self):
        wanted = {k: other_value(k, v, kind, "yaml") for k, (v, kind) in self.defaults.items()}
        got = effective("--config=" + self.write_config(wanted))
        for key, value in wanted.items():
            with self.subTest(flag=key):
                self.assertEqual(got[key][0], value)

    def test_the_command_line_wins_over_the_file(self):
        in_file = {k: other_value(k, v, kind, "yaml") for k, (v, kind) in self.defaults.items()}
        on_line = {k: other_value(k, v, kind, "flag") for k, (v, kind) in self.defaults.items()}
        args = [command_line(k, on_line[k], self.defaults[k][1]) for k in on_line]
        got = effective("--config=" + self.write_config(in_file), *args)
        for key, value in on_line.items():
            with self.subTest(flag=key):
                self.assertEqual(got[key][0], value)

    def test_the_printed_config_reads_back_the_same(self):
        wanted = {k: other_value(k, v, kind, "yaml") for k, (v, kind) in self.defaults.items()}
        first = effective("--config=" + self.write_config(wanted))
        path = os.path.join(self.dir.name, "printed.yaml")
        with open(path, "w") as f:
            f.write(subprocess.run([BINARY, "--print_config", "--config=" + self.write_config(wanted)],
                                   capture_output=True, text=True, check=True, timeout=30).stdout)
        self.assertEqual(effective("--config=" + path), first)

    def test_structured_settings_round_trip(self):
        text, key, expected = STRUCTURED.get(NAME, (None, None, None))
        if text is None:
            self.skipTest(f"{NAME} has no structured settings")
        path = os.path.join(self.dir.name, "structured.yaml")
        with open(path, "w") as f:
            f.write(text)
        self.assertEqual(effective("--config=" + path)[key][0], expected)

    def test_unknown_keys_and_bad_values_are_refused(self):
        for text in ("no_such_flag: 1\n", "config: other.yaml\n", "- a list\n"):
            with self.subTest(text=text):
                path = os.path.join(self.dir.name, "bad.yaml")
                with open(path, "w") as f:
                    f.write(text)
                out = subprocess.run([BINARY, "--config=" + path, "--print_config"],
                                     capture_output=True, text=True, timeout=30)
                self.assertEqual(out.returncode, 2, out.stderr)
                self.assertIn("config", out.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
