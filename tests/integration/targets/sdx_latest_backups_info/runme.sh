#!/usr/bin/env bash
# This folder's tasks/main.yml against a simulator started for this run (see ../setup_sdx_simulator).
exec ../setup_sdx_simulator/run_target.sh "$@"
