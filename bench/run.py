"""`make bench`: run every benchmark under bench/ and gather the figures in bench/results.json."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = ["bench_progress.py"]


def main() -> int:
    results = {}
    for name in BENCHMARKS:
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            print(f"== {name}", flush=True)
            subprocess.run([sys.executable, str(HERE / name), "--out", out.name], check=True)
            results[name.removesuffix(".py")] = json.loads(Path(out.name).read_text())
    (HERE / "results.json").write_text(json.dumps(results, indent=2))
    print(f"written to {HERE / 'results.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
