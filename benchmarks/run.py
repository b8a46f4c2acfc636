"""Measure lambda-lint against its speed targets, on generated and real projects.

    python benchmarks/run.py                                  # everything (long: see README)
    python benchmarks/run.py --sizes 100 400 --runs 3 --skip-real-world
    python benchmarks/run.py --sizes 6400 --runs 1 --warmup 0 --markdown out.md --json out.json

For every project, on the same files: the baselines (one process calling
`libcst.parse_module`, then `ast.parse`, on every .py file), pythaw and Ruff (default
rules, as a yardstick), and `lambda-lint check`: cold (`--no-cache`) with the default
workers and with `--jobs 1`, warm (a second run with the cache), and after an edit to
one handler (cache on). Each is a whole process, timed after warm-up runs; the tables
give medians, ratios to the libcst baseline, and the peak memory of the process tree.
The JSON that the parallel, the serial and the cached runs print must be byte for byte
the same; a difference is reported as a MISMATCH and the run exits with status 1.

Projects: the generator's (`generate.py`) at each size, and the real-world projects
materialised under $LAMBDA_LINT_REAL_WORLD (default ~/.cache/lambda-lint-real-world), or
the folders given with --real-world. Last, `lsp_latency.py`'s probes of the language
server on a 1,500-file project, one for each kind of edit (--skip-lsp to leave them out). pythaw and Ruff come from a separate environment
(--tools-env), made on first use from benchmarks/requirements.txt; without it their
lines say why they are missing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402
from lsp_latency import EDITS, latency, prepare  # noqa: E402
from measure import Measurement, compile_bytecode, measure  # noqa: E402

SIZES = [100, 400, 1600, 6400]
LSP_FILES = 1500
LSP_TIMEOUT = 3600.0
LAMBDA_LINT = [sys.executable, "-m", "lambda_lint", "check", ".", "--output-format", "json"]
DEFAULT_TOOLS_ENV = Path.home() / ".cache" / "lambda-lint-bench" / "tools"
DEFAULT_REAL_WORLD = Path(
    os.environ.get("LAMBDA_LINT_REAL_WORLD") or Path.home() / ".cache" / "lambda-lint-real-world"
).expanduser()
#: the scenarios whose printed findings must be identical
SAME_OUTPUT = ("lambda-lint cold", "lambda-lint cold -j1", "lambda-lint warm")
TARGETS = (
    "cold ≤ 1.0x libcst parse; time per file within 1.3x from 100 to 6,400 files; faster than "
    "pythaw; warm ≤ 0.05x cold; one file edited ≤ 0.15x cold; peak ≤ 400 MiB at 6,400 files"
)


@dataclass
class Project:
    name: str
    root: Path
    #: a handler module the edit scenario changes
    handler: Path | None
    files: int = 0
    lines: int = 0
    results: dict[str, Measurement] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass
class Tools:
    """Where pythaw and Ruff are, or why not."""

    pythaw: list[str] | None
    ruff: list[str] | None
    note: str = ""


# -- projects -------------------------------------------------------------------------------


def generated_project(work: Path, size: int) -> Project:
    """The generator's project of `size` files, made once and kept under `work`."""
    root = work / f"synthetic-{size}"
    stamp = root / ".generated"
    if not stamp.exists() or stamp.read_text() != str(size):
        shutil.rmtree(root, ignore_errors=True)
        generate(root, size)
        stamp.write_text(str(size))
    handler = next(iter(sorted((root / "functions").glob("*/*/app.py"))))
    return Project(f"synthetic {size:,}", root, handler)


def real_world_projects(sources: list[Path]) -> list[Project]:
    """Each folder given, or each `owner+name` folder inside one."""
    projects = []
    for source in sources:
        folders = sorted(p for p in source.iterdir() if p.is_dir() and "+" in p.name)
        for root in folders if folders else [source]:
            projects.append(Project(root.name, root, first_handler(root)))
    return projects


def first_handler(root: Path) -> Path | None:
    """The module of the first handler lambda-lint finds, for the edit scenario."""
    found = subprocess.run(
        [sys.executable, "-m", "lambda_lint", "handlers", "--output-format", "json"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        rows = json.loads(found.stdout)
    except json.JSONDecodeError:
        return None
    return root / rows[0]["file"] if rows else None


# -- tools ----------------------------------------------------------------------------------


def find_tools(env_dir: Path | None, install: bool) -> Tools:
    """pythaw and Ruff from their own environment, made on first use if `install`."""
    if env_dir is None:
        return Tools(None, None, "pythaw and Ruff skipped (--no-tools)")
    bin_dir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    if not (bin_dir / "pythaw").exists() and install:
        print(f"installing pythaw and Ruff into {env_dir} ...", file=sys.stderr)
        made = subprocess.run(
            [sys.executable, "-m", "venv", str(env_dir)], capture_output=True, check=False
        )
        if made.returncode == 0:
            subprocess.run(
                [str(bin_dir / "python"), "-m", "pip", "install", "-q", "-r",
                 str(HERE / "requirements.txt")],
                check=False,
            )  # fmt: skip
    pythaw = [str(bin_dir / "pythaw")] if (bin_dir / "pythaw").exists() else None
    ruff = [str(bin_dir / "ruff")] if (bin_dir / "ruff").exists() else None
    missing = [name for name, argv in (("pythaw", pythaw), ("ruff", ruff)) if argv is None]
    note = ""
    if missing:
        note = (
            f"{' and '.join(missing)} not available in {env_dir} (pythaw needs Python 3.10+; "
            f"install with: pip install -r benchmarks/requirements.txt)"
        )
    return Tools(pythaw, ruff, note)


def tool_version(argv: list[str]) -> str:
    found = subprocess.run([*argv, "--version"], capture_output=True, text=True, check=False)
    return (found.stdout or found.stderr).strip().splitlines()[0] if found.returncode == 0 else ""


def lambda_lint_version() -> str:
    """lambda-lint's version and, for a checkout, its commit."""
    import lambda_lint

    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=Path(lambda_lint.__file__).parent,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return f"lambda-lint {version('lambda-lint')}" + (f" at {commit}" if commit else "")


def pythaw_version(pythaw: list[str]) -> str:
    python = Path(pythaw[0]).with_name("python")
    found = subprocess.run(
        [str(python), "-c", "from importlib.metadata import version; print(version('pythaw'))"],
        capture_output=True,
        text=True,
        check=False,
    )
    return f"pythaw {found.stdout.strip()}" if found.returncode == 0 else "pythaw"


# -- scenarios ------------------------------------------------------------------------------


def scenarios(tools: Tools) -> list[tuple[str, list[str] | None]]:
    """Name and command of each measured line, in order; None: not available."""
    baseline = [sys.executable, str(HERE / "parse_files.py")]
    return [
        ("libcst parse", [*baseline, "libcst", "."]),
        ("ast parse", [*baseline, "ast", "."]),
        ("pythaw", [*tools.pythaw, "check", ".", "--format", "json"] if tools.pythaw else None),
        (
            "ruff",
            [
                *tools.ruff,
                "check",
                "--no-cache",
                "--isolated",
                "--exit-zero",
                "--output-format",
                "json",
                ".",
            ]
            if tools.ruff
            else None,
        ),
        ("lambda-lint cold", [*LAMBDA_LINT, "--no-cache"]),
        ("lambda-lint cold -j1", [*LAMBDA_LINT, "--no-cache", "--jobs", "1"]),
        ("lambda-lint warm", LAMBDA_LINT),
        ("lambda-lint one file edited", LAMBDA_LINT),
    ]


class Editor:
    """Changes one handler module before each run, to new content every time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.original = path.read_bytes()
        self.count = 0

    def __call__(self) -> None:
        self.count += 1
        text = self.original.rstrip(b"\n") + f"\n\n_edited = {self.count}\n".encode()
        self.path.write_bytes(text)

    def restore(self) -> None:
        self.path.write_bytes(self.original)


def measure_project(
    project: Project,
    tools: Tools,
    runs: int,
    warmup: int,
    only: list[str] | None,
    progress: Callable[[], None],
) -> None:
    cache = Path(tempfile.mkdtemp(prefix="lambda-lint-bench-cache-"))
    env = {**os.environ, "LAMBDA_LINT_CACHE_DIR": str(cache), "NO_COLOR": "1"}
    try:
        for name, argv in scenarios(tools):
            if argv is None or (only and name not in only and name != "ast parse"):
                continue
            if name == "lambda-lint one file edited":
                if project.handler is None:
                    project.notes.append("no handler found: the edit scenario is skipped")
                    continue
                editor = Editor(project.handler)
                try:
                    result = measure(argv, project.root, env, runs, warmup, editor)
                finally:
                    editor.restore()
            else:
                # the cache is filled by at least one untimed run before the warm ones
                first = max(warmup, 1) if name == "lambda-lint warm" else warmup
                result = measure(argv, project.root, env, runs, first)
            project.results[name] = result
            print(
                f"  {name:<28} {result.wall:8.2f} s wall {result.cpu:8.2f} s cpu "
                f"{result.peak:7.0f} MiB",
                file=sys.stderr,
                flush=True,
            )
            if name == "ast parse":
                counts = json.loads(result.samples[0].stdout)
                project.files, project.lines = counts["files"], counts["lines"]
                if counts["failures"]:
                    project.notes.append(f"{counts['failures']} files do not parse")
            if name.startswith("lambda-lint") and result.samples[0].returncode not in (0, 1):
                project.notes.append(
                    f"{name}: exit {result.samples[0].returncode}: "
                    + result.samples[0].stderr.decode(errors="replace").strip()[-300:]
                )
            progress()
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    check_same_output(project)


def check_same_output(project: Project) -> None:
    """Parallel, serial and cached runs must print the same bytes."""
    outputs = {
        name: {s.stdout for s in project.results[name].samples}
        for name in SAME_OUTPUT
        if name in project.results
    }
    distinct = set().union(*outputs.values()) if outputs else set()
    if len(distinct) > 1:
        detail = ", ".join(f"{name}: {len(seen)} distinct" for name, seen in outputs.items())
        message = f"MISMATCH: the JSON output differs between runs ({detail})"
        project.notes.append(message)
        print(f"lambda-lint benchmark: {project.name}: {message}", file=sys.stderr)
    elif distinct:
        findings = len(json.loads(next(iter(distinct))))
        project.notes.append(
            f"identical JSON from parallel, --jobs 1 and cached runs ({findings} findings)"
        )


# -- report ---------------------------------------------------------------------------------


def ratio(value: float | None, base: float | None) -> str:
    return f"{value / base:.2f}x" if value is not None and base else ""


def figures_table(projects: list[Project]) -> str:
    rows = [
        "| project | files | lines | command | wall s | CPU s | wall x libcst | CPU x libcst | peak MiB |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    for project in projects:
        base = project.results.get("libcst parse")
        for name, result in project.results.items():
            rows.append(
                f"| {project.name} | {project.files:,} | {project.lines:,} | {name} "
                f"| {result.wall:.2f} | {result.cpu:.2f} "
                f"| {ratio(result.wall, base.wall if base else None)} "
                f"| {ratio(result.cpu, base.cpu if base else None)} | {result.peak:.0f} |"
            )
    return "\n".join(rows) + "\n"


def targets_table(projects: list[Project]) -> str:
    """Each target's measured value per project: wall-clock ratio (CPU-time ratio)."""
    rows = [
        "| project | cold ÷ libcst (≤ 1.0) | s per file | per file ÷ smallest size (≤ 1.3) "
        "| cold ÷ pythaw (< 1) | warm ÷ cold (≤ 0.05) | edited ÷ cold (≤ 0.15) | peak MiB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    smallest: tuple[float, float] | None = None
    for project in projects:
        cold = project.results.get("lambda-lint cold")
        if cold is None or not project.files:
            continue
        per_file = (cold.wall / project.files, cold.cpu / project.files)
        synthetic = project.name.startswith("synthetic")
        if synthetic and smallest is None:
            smallest = per_file
        peak = max(r.peak for n, r in project.results.items() if n.startswith("lambda-lint"))

        def both(top: Measurement | None, bottom: Measurement | None) -> str:
            if top is None or bottom is None:
                return ""
            return f"{ratio(top.wall, bottom.wall)} ({ratio(top.cpu, bottom.cpu)})"

        get = project.results.get
        linear = ""
        if synthetic and smallest is not None:
            linear = f"{ratio(per_file[0], smallest[0])} ({ratio(per_file[1], smallest[1])})"
        rows.append(
            f"| {project.name} | {both(cold, get('libcst parse'))} "
            f"| {per_file[0]:.4f} ({per_file[1]:.4f}) | {linear} "
            f"| {both(cold, get('pythaw'))} | {both(get('lambda-lint warm'), cold)} "
            f"| {both(get('lambda-lint one file edited'), cold)} | {peak:.0f} |"
        )
    return "\n".join(rows) + "\n"


def machine() -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, libcst {version('libcst')}, "
        f"{platform.system()} {platform.release()}, load average {load:.1f} at the start"
    )


def lsp_line(result: dict[str, object]) -> list[str]:
    return [
        f"Language server ({result['files']:,}-file project, {result['module_lines']:,}-line "
        f"module, debounce {result['debounce_ms']} ms): first diagnostics after "
        f"{result['first_diagnostics_s']} s; {result['edits']} {result['edit']} edits: median "
        f"{result['median_ms']} ms, p90 {result['p90_ms']} ms, server CPU per edit "
        f"{result['median_server_cpu_ms']} ms (target: 150 ms).",
        "",
    ]


def report(
    projects: list[Project],
    args: argparse.Namespace,
    tools: Tools,
    started: float,
    lsp: list[dict[str, object]] | None = None,
) -> str:
    versions = ", ".join(
        v
        for v in (
            pythaw_version(tools.pythaw) if tools.pythaw else "",
            tool_version(tools.ruff) if tools.ruff else "",
            lambda_lint_version(),
        )
        if v
    )
    lines = [
        f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC: "
        f"`python benchmarks/run.py {' '.join(sys.argv[1:])}` "
        f"(medians of {args.runs} timed runs after {args.warmup} untimed; {time.time() - started:.0f} s in all)",
        "",
        f"Machine: {machine()}. Tools: {versions}.",
        "",
        figures_table(projects),
        f"Targets: {TARGETS}. Each cell: the ratio of wall-clock medians (of CPU-time medians).",
        "",
        targets_table(projects),
        *(line for result in lsp or () for line in lsp_line(result)),
    ]
    notes = [f"- {p.name}: {note}" for p in projects for note in p.notes]
    if tools.note:
        notes.insert(0, f"- {tools.note}")
    if notes:
        lines += ["Notes:", "", *notes, ""]
    return "\n".join(lines)


def as_json(projects: list[Project]) -> dict[str, object]:
    return {
        p.name: {
            "root": str(p.root),
            "files": p.files,
            "lines": p.lines,
            "notes": p.notes,
            "results": {n: r.as_dict() for n, r in p.results.items()},
        }
        for p in projects
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="*", default=SIZES, help="generated sizes")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per command (default 3)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs first (default 1)")
    parser.add_argument("--skip-real-world", action="store_true")
    parser.add_argument(
        "--real-world",
        type=Path,
        nargs="*",
        default=[DEFAULT_REAL_WORLD],
        help="project folders, or folders of owner+name projects",
    )
    parser.add_argument(
        "--work",
        type=Path,
        default=Path(tempfile.gettempdir()) / "lambda-lint-bench",
        help="where generated projects are kept between runs",
    )
    parser.add_argument("--tools-env", type=Path, default=DEFAULT_TOOLS_ENV)
    parser.add_argument("--no-tools", action="store_true", help="measure without pythaw and Ruff")
    parser.add_argument("--no-install", action="store_true", help="never create --tools-env")
    parser.add_argument(
        "--only",
        nargs="*",
        metavar="COMMAND",
        help='measure only these lines (e.g. "libcst parse")',
    )
    parser.add_argument("--skip-lsp", action="store_true", help="no language-server probe")
    parser.add_argument("--lsp-edits", type=int, default=20, help="edits the probe times")
    parser.add_argument("--markdown", type=Path, help="also write the report here")
    parser.add_argument("--json", type=Path, help="write every sample here")
    args = parser.parse_args()

    started = time.time()
    compile_bytecode()
    tools = find_tools(None if args.no_tools else args.tools_env, not args.no_install)
    if tools.note:
        print(f"note: {tools.note}", file=sys.stderr)
    projects = [generated_project(args.work, size) for size in args.sizes]
    if not args.skip_real_world:
        present = [p for p in args.real_world if p.is_dir()]
        if not present:
            print(
                f"note: no real-world projects in {', '.join(map(str, args.real_world))} "
                "(materialise them first: python benchmarks/real-world/fetch.py)",
                file=sys.stderr,
            )
        projects += real_world_projects(present)

    def progress() -> None:
        """Write what is measured so far, so a long run that is stopped still tells."""
        if args.markdown:
            args.markdown.write_text(report(projects, args, tools, started), encoding="utf-8")
        if args.json:
            args.json.write_text(json.dumps(as_json(projects), indent=2), encoding="utf-8")

    for project in projects:
        print(f"{project.name} ({project.root})", file=sys.stderr, flush=True)
        measure_project(project, tools, args.runs, args.warmup, args.only, progress)
    lsp = None
    if not args.skip_lsp:
        print("language server (lsp_latency.py)", file=sys.stderr, flush=True)
        root, module = prepare(args.work, LSP_FILES)
        lsp = [
            {"files": LSP_FILES, **latency(root, module, args.lsp_edits, 0, LSP_TIMEOUT, edit)}
            for edit in EDITS
        ]
    text = report(projects, args, tools, started, lsp)
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")
    if args.json:
        args.json.write_text(
            json.dumps({**as_json(projects), "lsp": lsp}, indent=2), encoding="utf-8"
        )
    print(text)
    return 1 if any("MISMATCH" in note for p in projects for note in p.notes) else 0


if __name__ == "__main__":
    sys.exit(main())
