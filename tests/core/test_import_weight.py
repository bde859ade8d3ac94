"""Every API process, arq worker and test process imports the app: the heavy libraries (pandas
and statsforecast for forecasts, LightGBM, OpenCV for photos, openpyxl for spreadsheets,
onnxruntime for RapidOCR) are imported by the functions that use them, never at start-up
(pandas alone costs ~0.8 s of CPU per process)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT

HEAVY = ("pandas", "statsforecast", "lightgbm", "cv2", "openpyxl", "onnxruntime")


@pytest.mark.parametrize("module", ["server.app", "jobs.worker"])
def test_heavy_libraries_are_not_imported_at_start(module: str) -> None:
    code = (
        f"import json, sys; import {module}; "
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
