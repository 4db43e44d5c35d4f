"""Take one collection out of a wheel of the `ansible` package, as Galaxy would have given it.

    extract_collection.py WHEEL NS/NAME VERSION DEST

writes DEST/ansible_collections/NS/NAME (the collection's folder) and DEST/NS-NAME-VERSION.tar.gz (the same files
as a collection artifact that `ansible-galaxy collection install` takes). The collection's MANIFEST.json must name
VERSION, so a changed pin of the package cannot bring another version of the collection unnoticed.

The wheel leaves out some of the collection's files (its tests, docs and CI files), so FILES.json is cut to the
files the wheel holds, and MANIFEST.json given that file's checksum: ansible-galaxy checks both when it installs.
"""

import hashlib
import io
import json
import sys
import tarfile
import zipfile
from pathlib import Path


def main(wheel: str, collection: str, version: str, dest: str) -> None:
    prefix = f"ansible_collections/{collection}/"
    with zipfile.ZipFile(wheel) as archive:
        members = [name for name in archive.namelist() if name.startswith(prefix) and not name.endswith("/")]
        if not members:
            sys.exit(f"{wheel} holds no {collection} collection")
        found = json.loads(archive.read(prefix + "MANIFEST.json"))["collection_info"]["version"]
        if found != version:
            sys.exit(f"{wheel} holds {collection} {found}, not the pinned {version}")
        contents = {name[len(prefix):]: archive.read(name) for name in members}
    _trim_file_list(contents)
    for name, data in contents.items():
        target = Path(dest) / prefix / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    artifact = Path(dest) / f"{collection.replace('/', '-')}-{version}.tar.gz"
    with tarfile.open(artifact, "w:gz") as tar:
        for name in _directories(contents):
            info = tarfile.TarInfo(name)
            info.type, info.mode = tarfile.DIRTYPE, 0o755
            tar.addfile(info)
        for name, data in sorted(contents.items()):
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o644
            tar.addfile(info, io.BytesIO(data))
    print(f"{collection} {found} -> {Path(dest) / prefix} and {artifact}")


def _directories(contents: dict) -> list:
    return sorted({str(Path(name).parent) for name in contents} - {"."})


def _trim_file_list(contents: dict) -> None:
    """FILES.json without the files the wheel left out; MANIFEST.json with the new FILES.json's checksum."""
    files = json.loads(contents["FILES.json"])
    present = set(contents) | set(_directories(contents)) | {"."}
    files["files"] = [entry for entry in files["files"] if entry["name"] in present]
    contents["FILES.json"] = json.dumps(files, indent=1).encode()
    manifest = json.loads(contents["MANIFEST.json"])
    manifest["file_manifest_file"]["chksum_sha256"] = hashlib.sha256(contents["FILES.json"]).hexdigest()
    contents["MANIFEST.json"] = json.dumps(manifest, indent=1).encode()


if __name__ == "__main__":
    main(*sys.argv[1:])
