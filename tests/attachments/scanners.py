"""Virus scanners for the tests of the scan hook: refuse files carrying the EICAR test signature.

``refuse_eicar`` is the ``module:function`` form; run as ``python -m tests.attachments.scanners <path>`` it is
the ``command:`` form (exit 1 and the finding on stdout, as clamdscan does).
"""

from __future__ import annotations

import sys
from pathlib import Path

EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
MARKER = b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE"

scanned: list[Path] = []


def refuse_eicar(path: Path) -> str | None:
    """None for a clean file; the finding for one carrying the EICAR marker."""
    scanned.append(path)
    return "Eicar-Test-Signature FOUND" if MARKER in path.read_bytes() else None


if __name__ == "__main__":
    finding = refuse_eicar(Path(sys.argv[1]))
    if finding:
        print(f"{sys.argv[1]}: {finding}")
        sys.exit(1)
    sys.exit(0)
