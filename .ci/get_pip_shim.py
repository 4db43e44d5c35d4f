"""Offline stand-in for ansible-test's get-pip bootstrap.

ansible-test makes venvs without pip and downloads a get-pip script to fill them, from a host this
machine cannot reach. This file takes its place in ansible-test's cache: it installs pip from the
wheel that ships with Python (ensurepip) and then whatever was asked for, from the package index.
"""
import subprocess
import sys

ARGS = [arg for arg in sys.argv[1:] if arg not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"], stdout=subprocess.DEVNULL)
if ARGS:
    subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check", *ARGS])
