#!/usr/bin/env bash
# Runs the calling target's tasks (tasks/main.yml of the target folder it is started from) against an SDX simulator
# that lives exactly as long as the run. Each target's runme.sh is: exec ../setup_sdx_simulator/run_target.sh "$@"
#
# The simulator is a tool of the source repository (simulator/), not part of the built collection. ansible-test runs
# a target from a copy of its folder, but points ANSIBLE_COLLECTIONS_PATH at the collection tree it was started in:
# the copy of the repository that `make integration-targets` makes, which holds the simulator.
set -euo pipefail

target_dir="$PWD"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source_tree="${ANSIBLE_COLLECTIONS_PATH%%:*}/ansible_collections/altostrat/sdx"
if [[ ! -f "$source_tree/simulator/__main__.py" ]]; then
    echo "The SDX simulator (simulator/ of the source repository) is not in $source_tree. Run these targets from a" \
         "copy of the repository (make integration-targets), not from an installed collection." >&2
    exit 1
fi

ANSIBLE_ROLES_PATH="$(dirname "$target_dir")"
export ANSIBLE_ROLES_PATH
# python -m simulator imports the package from the working directory; the playbook's paths are absolute.
cd "$source_tree"
# A small fleet (a third of it offline), jobs 20 times faster than at 1.0, no rate limit. The simulator sets
# SDX_API_URL and SDX_API_TOKEN for the command after "--", and stops when it ends, with its exit code.
exec python -m simulator --sites 6 --offline-ratio 0.34 --seed 22 --time-scale 0.05 --rate-limit 0 -- \
    ansible-playbook -i "$INVENTORY_PATH" "$here/target.yml" -e "sdx_target=$(basename "$target_dir")" "$@"
