"""Copy one collection out of a wheel of the `ansible` package: extract_collection.py WHEEL NS/NAME VERSION DEST.

Only that collection's folder is written (to DEST/ansible_collections/NS/NAME), and its MANIFEST.json must name
VERSION, so a changed pin of the package cannot bring another version of the collection unnoticed.
"""

import json
import sys
import zipfile
from pathlib import Path


def main(wheel: str, collection: str, version: str, dest: str) -> None:
    prefix = f"ansible_collections/{collection}/"
    with zipfile.ZipFile(wheel) as archive:
        members = [name for name in archive.namelist() if name.startswith(prefix)]
        if not members:
            sys.exit(f"{wheel} holds no {collection} collection")
        manifest = json.loads(archive.read(prefix + "MANIFEST.json"))
        found = manifest["collection_info"]["version"]
        if found != version:
            sys.exit(f"{wheel} holds {collection} {found}, not the pinned {version}")
        archive.extractall(Path(dest), members)
    print(f"{collection} {found} -> {Path(dest) / prefix}")


if __name__ == "__main__":
    main(*sys.argv[1:])
