"""`make coverage`'s report: the line coverage of server/, schema/ and jobs/ by the fast suite
(`make test`: the tests not marked slow) against the whole suite, and the lines only slow tests
reach.

Input: the parallel data files of one `coverage run -m pytest` of the whole suite
(.coveragerc: `dynamic_context = test_function`, so each line carries the tests that ran it) and
the node ids of the slow tests (`pytest --collect-only -q -m slow`). In the test processes, a
line is reached by the fast suite when a test not marked slow ran it, or when it ran outside any
test (imports at collection). The processes the tests start (API servers, workers, CLI
commands) record no test name: the report gives the fast suite's share without them (a lower
bound) and with them (an upper bound: some were started by slow tests), and lists the lines no
fast test ran in a test process, `(process)` after those a started process ran.

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
    process_lines: dict[str, set[int]] = defaultdict(set)
    for part in parts:
        data = CoverageData(part)
        data.read()
        named = any(name for name in data.measured_contexts())
        for path in data.measured_files():
            for line, names in data.contexts_by_lineno(path).items():
                all_lines[path].add(line)
                if not named:
                    process_lines[path].add(line)
                elif any(name not in slow for name in names):
                    fast_lines[path].add(line)
    cov = Coverage(data_file=data_file)
    cov.combine(parts, keep=True)
    cov.save()
    statements = fast_total = with_processes = all_total = 0
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
        fast = fast_lines[path] & lines
        statements += len(lines)
        fast_total += len(fast)
        with_processes += len(fast | (process_lines[path] & lines))
        all_total += len(all_lines[path] & lines)
        only = sorted((all_lines[path] - fast_lines[path]) & lines)
        if only:
            relative = Path(path).resolve().relative_to(root)
            marked = [f"{n} (process)" if n in process_lines[path] else str(n) for n in only]
            slow_only.append(f"{relative}: {', '.join(marked)}")
    Path(output).write_text("\n".join(slow_only) + "\n")
    share = lambda n: f"{n} lines, {100 * n / statements:.1f}%"  # noqa: E731
    print(f"statements in server/, schema/, jobs/: {statements}")
    print(f"whole suite: {share(all_total)}")
    print(f"fast suite (make test), in the test processes: {share(fast_total)}")
    print(f"fast suite with every started process's lines: {share(with_processes)}")
    print(f"no fast test ran in a test process: {all_total - fast_total} lines ({output})")


if __name__ == "__main__":
    main(*sys.argv[1:4])
