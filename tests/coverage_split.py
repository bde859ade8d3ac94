"""`make coverage`'s report: the line coverage of server/, schema/ and jobs/ by the fast suite
(`make test`: the tests not marked slow) against the whole suite, and the lines only slow tests
reach.

Input: the parallel data files of one `coverage run -m pytest` of the whole suite
(.coveragerc: `dynamic_context = test_function`, so each line carries the tests that ran it) and
the node ids of the slow tests (`pytest --collect-only -q -m slow`). A line is reached by the
fast suite when a test not marked slow ran it, or when it ran outside any test: imports at
collection, and the processes the tests start (API servers, workers, CLI commands), whose data
carries no test name; those are counted as reached by both (stated in the report).

Usage: python tests/coverage_split.py <data file> <slow node ids> <output for slow-only lines>
"""

from __future__ import annotations

import glob
import sys
from collections import defaultdict
from pathlib import Path

from coverage import Coverage, CoverageData


def context_of(node_id: str) -> str:
    """A pytest node id as coverage's test_function context: `tests.core.test_x.test_name`
    (`Class.test_name` for methods), parameters dropped."""
    path, _, name = node_id.partition("::")
    module = path.removesuffix(".py").replace("/", ".")
    return f"{module}.{name.split('[', 1)[0].replace('::', '.')}"


def main(data_file: str, slow_ids_file: str, output: str) -> None:
    slow = {
        context_of(line.strip())
        for line in Path(slow_ids_file).read_text().splitlines()
        if "::" in line
    }
    parts = [p for p in glob.glob(data_file + ".*") if not p.endswith(".lock")]
    fast_lines: dict[str, set[int]] = defaultdict(set)
    all_lines: dict[str, set[int]] = defaultdict(set)
    outside = 0
    for part in parts:
        data = CoverageData(part)
        data.read()
        for path in data.measured_files():
            contexts = data.contexts_by_lineno(path)
            for line, names in contexts.items():
                all_lines[path].add(line)
                if any(name not in slow for name in names):
                    fast_lines[path].add(line)
                    outside += all(name == "" for name in names)
    cov = Coverage(data_file=data_file)
    cov.combine(parts, keep=True)
    cov.save()
    statements = 0
    fast_total = 0
    all_total = 0
    slow_only: list[str] = []
    root = Path.cwd()
    sources = {
        str(p.resolve())
        for d in ("server", "schema", "jobs")
        for p in root.joinpath(d).rglob("*.py")
    }
    for path in sorted(set(all_lines) | sources):
        _, executable, _, _, _ = cov.analysis2(path)
        lines = set(executable)
        statements += len(lines)
        fast_total += len(fast_lines[path] & lines)
        all_total += len(all_lines[path] & lines)
        only = sorted((all_lines[path] - fast_lines[path]) & lines)
        if only:
            relative = Path(path).resolve().relative_to(root)
            slow_only.append(f"{relative}: {', '.join(map(str, only))}")
    Path(output).write_text("\n".join(slow_only) + "\n")
    print(f"statements in server/, schema/, jobs/: {statements}")
    print(f"whole suite: {all_total} lines, {100 * all_total / statements:.1f}%")
    print(f"fast suite (make test): {fast_total} lines, {100 * fast_total / statements:.1f}%")
    print(f"reached only by slow tests: {all_total - fast_total} lines in {len(slow_only)} files")
    print(f"  (listed in {output}; {outside} line hits ran outside any test and count as fast)")


if __name__ == "__main__":
    main(*sys.argv[1:4])
