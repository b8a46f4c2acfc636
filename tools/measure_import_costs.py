"""Measure what importing common modules costs; write ``lambda_lint/coldstart/import_costs.json``.

Development tool only: the ``lambda_lint`` package never imports it. The modules to measure and
the pinned distributions that provide them are listed in ``tools/import_costs.toml``.

Usage (from the repository root)::

    python tools/measure_import_costs.py                      # install, measure, write the table
    python tools/measure_import_costs.py --python python3.11  # the interpreter to measure with
    python tools/measure_import_costs.py --no-install         # reuse the virtualenv as it is
    python tools/measure_import_costs.py --stdout             # print instead of writing

What it does:

1. creates (or reuses) a virtualenv *outside* the repository, by default under the user cache
   folder (``~/.cache/lambda-lint/import-costs/py3.11``; ``--venv`` chooses another), and
   installs the pinned requirements into it;
2. imports every module once to check it imports and to warm the page and bytecode caches;
3. runs ``python -I -X importtime -c "import <module>"`` in a fresh interpreter ``--runs``
   times per module (default 9), round by round in a shuffled order, so that every module is
   sampled across the whole run rather than all at once;
4. from each sample's importtime report derives the module's cumulative cost, the other table
   packages it brought in, and its cost without them (see :func:`split_costs`); keeps the
   median of each figure over the runs;
5. writes the table with the interpreter, machine, date and method it was measured with.

Start-up imports (``site``, ``encodings``, ...) are reported by importtime before the measured
import begins; a marker written to stderr separates them, and they are kept only as the
start-up baseline. Nothing else is subtracted.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.9 and 3.10 only
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
MODULES_PATH = ROOT / "tools" / "import_costs.toml"
OUTPUT_PATH = ROOT / "lambda_lint" / "coldstart" / "import_costs.json"

FORMAT_VERSION = 1
DEFAULT_RUNS = 9
#: the default of ``cold-start.heavy-ms``: modules below it are "light" for ``default_ms``
HEAVY_MS = 100.0
#: written to stderr just before the measured import: importtime lines above it are start-up
MARKER = "--- lambda-lint: measured import starts ---"
#: starts the line, written after the measured import, that lists every module then loaded
LOADED_MARKER = "--- lambda-lint: loaded:"
#: the pseudo-module whose samples are the bare interpreter start-up
BASELINE = ""

_LINE = re.compile(r"^import time:\s+(\d+)\s+\|\s+(\d+)\s+\|( *)(\S.*?)\s*$")


# --------------------------------------------------------------------------- importtime


@dataclass
class ImportNode:
    """One line of ``-X importtime`` output and the imports nested under it."""

    module: str
    self_us: int
    cumulative_us: int
    depth: int
    children: list[ImportNode] = field(default_factory=list)


def parse_importtime(text: str) -> list[ImportNode]:
    """The import tree of an importtime report: its top-level imports, in completion order.

    CPython prints one line per import as the import *finishes*, indented two spaces per
    nesting level, so a line's children are the deeper lines printed just before it. Lines
    that are not importtime lines (the header, warnings a module prints) are skipped.
    """
    pending: list[ImportNode] = []
    for line in text.splitlines():
        match = _LINE.match(line)
        if match is None:
            continue
        self_us, cumulative_us, indent, module = match.groups()
        node = ImportNode(module, int(self_us), int(cumulative_us), len(indent) // 2)
        while pending and pending[-1].depth > node.depth:
            node.children.insert(0, pending.pop())
        pending.append(node)
    return pending


@dataclass(frozen=True)
class Report:
    """A child's stderr, split at the markers."""

    startup: str
    measured: str
    #: the modules in ``sys.modules`` after the import (``None`` if not reported): a module
    #: importtime lists but that is not there failed to import (an optional dependency)
    loaded: frozenset[str] | None


def split_report(stderr: str) -> Report:
    """Split a child's stderr at :data:`MARKER` and :data:`LOADED_MARKER`."""
    head, found, tail = stderr.partition(MARKER)
    if not found:
        raise ValueError("the importtime report has no start marker")
    measured, found, loaded = tail.partition(LOADED_MARKER)
    modules = frozenset(loaded.split("\n", 1)[0].split()) if found else None
    return Report(head, measured, modules)


def total_us(roots: Iterable[ImportNode]) -> int:
    """Cumulative time of a forest of imports."""
    return sum(root.cumulative_us for root in roots)


def owning_entry(module: str, entries: Iterable[str]) -> str | None:
    """The most specific table entry ``module`` belongs to (itself or a parent package)."""
    best: str | None = None
    for entry in entries:
        if (module == entry or module.startswith(entry + ".")) and (
            best is None or len(entry) > len(best)
        ):
            best = entry
    return best


@dataclass(frozen=True)
class Sample:
    """One fresh-interpreter import of a module, split by table entry."""

    total_us: int
    self_us: int
    #: what each other table entry the import loaded was charged
    charges: Mapping[str, int]

    @property
    def packages(self) -> frozenset[str]:
        return frozenset(self.charges)


def split_costs(
    roots: Sequence[ImportNode],
    measured: str,
    entries: Iterable[str],
    loaded: Collection[str] | None = None,
) -> Sample:
    """Split the cost of importing ``measured`` between itself and the other table entries.

    Every imported module is charged to the table entry it belongs to by name (the longest
    entry that is the module or one of its parent packages); a module that belongs to no
    entry (a dependency outside the table, a standard-library module) is charged to the
    entry whose import brought it in, i.e. its nearest charged ancestor in the tree, and at
    the top of the tree to ``measured``. One exception: the modules of a package that a
    submodule entry loads (``matplotlib.figure``, loaded by ``matplotlib.pyplot``) are the
    submodule's cost, since importing the package alone does not load them. A module that is
    not in ``loaded`` failed to import (``requests`` trying for ``simplejson``): the attempt
    is charged to whoever made it. ``self_us`` is what ``measured`` is charged; ``charges``
    what each other entry is.
    """
    candidates = {*entries, measured}
    charged: Counter[str] = Counter()

    def charge(node: ImportNode, inherited: str | None) -> None:
        found = loaded is None or node.module in loaded
        owner = (found and owning_entry(node.module, candidates)) or inherited or measured
        if inherited and inherited.startswith(owner + "."):
            owner = inherited
        charged[owner] += node.self_us
        for child in node.children:
            charge(child, owner)

    for root in roots:
        charge(root, None)
    own = charged.pop(measured, 0)
    return Sample(total_us=total_us(roots), self_us=own, charges=dict(charged))


# --------------------------------------------------------------------------- module list

#: the group of standard-library modules: a virtualenv with nothing installed
STDLIB_GROUP = "stdlib"


@dataclass(frozen=True)
class Module:
    """One table entry to measure."""

    name: str
    group: str
    distribution: str | None  # None for the standard library
    statement: str


@dataclass(frozen=True)
class ModuleList:
    """What ``tools/import_costs.toml`` asks for."""

    python: str
    pins: tuple[str, ...]
    groups: Mapping[str, tuple[str, ...]]  # group -> its requirements
    modules: tuple[Module, ...]


def load_module_list(path: Path = MODULES_PATH) -> ModuleList:
    """Read and check the module list."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    pins = tuple(data["pins"])
    loose = [pin for pin in pins if "==" not in pin]
    if loose:
        raise ValueError(f"{path}: not pinned with ==: {', '.join(loose)}")
    pinned = {_distribution_key(pin) for pin in pins}
    groups: dict[str, tuple[str, ...]] = {STDLIB_GROUP: ()}
    modules = [
        Module(name, STDLIB_GROUP, None, f"import {name}") for name in data["stdlib"]["modules"]
    ]
    for group, spec in data["group"].items():
        groups[group] = tuple(spec["requirements"])
        for name, value in spec["modules"].items():
            value = value if isinstance(value, dict) else {"distribution": value}
            distribution = value["distribution"]
            if _distribution_key(distribution) not in pinned:
                raise ValueError(f"{path}: {name}: distribution {distribution!r} is not pinned")
            modules.append(
                Module(name, group, distribution, value.get("statement", f"import {name}"))
            )
    names = Counter(module.name for module in modules)
    twice = sorted(name for name, count in names.items() if count > 1)
    if twice:
        raise ValueError(f"{path}: listed more than once: {', '.join(twice)}")
    return ModuleList(data["python"], pins, groups, tuple(modules))


def _distribution_key(requirement: str) -> str:
    """The normalised distribution name of a requirement (``Foo_Bar[x]==1`` -> ``foo-bar``)."""
    name = re.split(r"[\[=<>!~ ;]", requirement, maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


# --------------------------------------------------------------------------- virtualenvs


def default_venvs(python_version: str) -> Path:
    """Where the measuring virtualenvs live unless ``--venvs`` says otherwise."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "lambda-lint" / "import-costs" / f"py{python_version}"


def prepare_venv(
    venv: Path, base_python: str, requirements: Sequence[str], constraints: Path
) -> Path:
    """Create ``venv`` if needed and install ``requirements`` into it under ``constraints``.

    The virtualenv has no pip or setuptools of its own (their start-up hooks would differ from
    a Lambda runtime's); the base interpreter's pip installs into it. A stamp of what was
    installed lets a later run reuse it untouched.
    """
    python = venv / "bin" / "python"
    stamp = venv / "lambda-lint-requirements.txt"
    wanted = "\n".join([*requirements, "# constraints", constraints.read_text()])
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return python
    if not python.exists():
        subprocess.run([base_python, "-m", "venv", "--without-pip", str(venv)], check=True)
    if requirements:
        print(f"installing into {venv}: {' '.join(requirements)}", file=sys.stderr)
        subprocess.run(
            [
                base_python,
                "-m",
                "pip",
                "--python",
                str(python),
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--constraint",
                str(constraints),
                *requirements,
            ],
            check=True,
        )
    stamp.write_text(wanted)
    return python


_PROBE = """\
import importlib.metadata as md, json, platform, sys
print(json.dumps({
    "python": {"implementation": platform.python_implementation(),
               "version": platform.python_version()},
    "versions": {d: md.version(d) for d in sys.argv[1:]},
}))
"""


def probe(python: Path, distributions: Iterable[str]) -> dict:
    """The interpreter's version and the installed version of each distribution."""
    out = subprocess.run(
        [str(python), "-I", "-c", _PROBE, *sorted(set(distributions))],
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        raise SystemExit(f"{python}: {out.stderr.strip().splitlines()[-1]}")
    return json.loads(out.stdout)


def installed_versions(
    pythons: Mapping[str, Path], modules: ModuleList
) -> tuple[dict[str, str], dict[str, str]]:
    """The interpreter all groups share, and the installed version of each distribution."""
    versions: dict[str, str] = {}
    interpreters = set()
    for group, python in pythons.items():
        wanted = [m.distribution for m in modules.modules if m.group == group and m.distribution]
        info = probe(python, wanted)
        interpreters.add(tuple(info["python"].items()))
        versions.update(info["versions"])
    if len(interpreters) != 1:
        raise SystemExit(f"the virtualenvs run different interpreters: {sorted(interpreters)}")
    python = dict(interpreters.pop())
    if not python["version"].startswith(modules.python + "."):
        raise SystemExit(f"the virtualenvs run Python {python['version']}, not {modules.python}")
    return python, versions


# --------------------------------------------------------------------------- measuring


def import_report(python: Path, statement: str, workdir: str) -> str:
    """stderr of one fresh interpreter running ``statement`` under ``-X importtime``."""
    code = (
        f"import sys; sys.stderr.write({MARKER!r} + '\\n'); sys.stderr.flush()\n{statement}\n"
        f"sys.__stderr__.write({LOADED_MARKER!r} + ' ' + ' '.join(sys.modules) + '\\n')"
    )
    result = subprocess.run(
        [str(python), "-I", "-X", "importtime", "-c", code],
        cwd=workdir,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{statement!r} failed:\n{result.stderr[-2000:]}")
    return result.stderr


def startup_ms(python: Path, workdir: str) -> float:
    """Wall-clock time of a bare interpreter start and exit, process creation included."""
    start = time.perf_counter()
    subprocess.run([str(python), "-I", "-c", "pass"], cwd=workdir, check=True)
    return (time.perf_counter() - start) * 1000


@dataclass
class Measurements:
    """Everything one measuring session collected."""

    samples: dict[str, list[Sample]]
    startup_import_us: list[int] = field(default_factory=list)
    startup_wall_ms: list[float] = field(default_factory=list)
    #: the one-minute load average when measuring started and ended
    load_average: list[float] = field(default_factory=list)


def measure(pythons: Mapping[str, Path], modules: ModuleList, runs: int) -> Measurements:
    """``runs`` fresh-interpreter samples of every module, round by round, shuffled."""
    entries = [module.name for module in modules.modules]
    found = Measurements({module.name: [] for module in modules.modules})
    bare = pythons[STDLIB_GROUP]
    found.load_average.append(round(os.getloadavg()[0], 2))
    with tempfile.TemporaryDirectory(prefix="import-costs-") as workdir:
        print(f"warm-up: {len(modules.modules)} modules, once each", file=sys.stderr)
        bare_startup = _startup_modules(import_report(bare, "pass", workdir))
        noted = set()
        for module in modules.modules:
            report = import_report(pythons[module.group], module.statement, workdir)
            extra = _startup_modules(report) - bare_startup
            if extra and module.group not in noted:
                noted.add(module.group)
                print(f"note: {module.group} imports at start-up: {sorted(extra)}", file=sys.stderr)
        for run in range(runs):
            print(f"run {run + 1}/{runs}", file=sys.stderr)
            order: list[Module | None] = [None, *modules.modules]  # None: the baseline
            random.Random(run).shuffle(order)
            for module in order:
                if module is None:
                    startup = split_report(import_report(bare, "pass", workdir)).startup
                    found.startup_import_us.append(total_us(parse_importtime(startup)))
                    found.startup_wall_ms.append(startup_ms(bare, workdir))
                    continue
                report = split_report(
                    import_report(pythons[module.group], module.statement, workdir)
                )
                roots = parse_importtime(report.measured)
                found.samples[module.name].append(
                    split_costs(roots, module.name, entries, report.loaded)
                )
    found.load_average.append(round(os.getloadavg()[0], 2))
    return found


def _startup_modules(stderr: str) -> set[str]:
    lines = split_report(stderr).startup.splitlines()
    return {match.group(4) for match in map(_LINE.match, lines) if match}


# --------------------------------------------------------------------------- the table


def _ms(values_us: Iterable[float]) -> float:
    return round(statistics.median(values_us) / 1000, 1)


def summarise(name: str, samples: Sequence[Sample]) -> tuple[float, float, list[str]]:
    """Median total and self cost (ms) and the packages seen in most runs."""
    seen = Counter(package for sample in samples for package in sample.packages)
    packages = sorted(p for p, count in seen.items() if count * 2 > len(samples))
    if any(count != len(samples) for count in seen.values()):
        print(f"note: {name} loaded different packages across runs: {seen}", file=sys.stderr)
    return _ms(s.total_us for s in samples), _ms(s.self_us for s in samples), packages


def beyond_own_import_ms(
    samples: Sequence[Sample], packages: Iterable[str], own_self_ms: Mapping[str, float]
) -> float:
    """What an import loaded of its packages beyond what importing each package alone loads.

    ``scipy.stats`` loads parts of numpy that ``import numpy`` does not (numpy loads some
    submodules lazily); that part is the cost of the module that loaded it, so that a
    package's own ``self_ms`` plus its users' add up to what the users' imports take.
    """
    return sum(
        max(0.0, _ms(sample.charges.get(package, 0) for sample in samples) - own_self_ms[package])
        for package in packages
    )


def default_ms(entries: Mapping[str, Mapping]) -> float:
    """The cost assumed for a third-party module not in the table.

    The median ``total_ms`` of the light (below :data:`HEAVY_MS`) third-party packages the
    table measures, counting only import roots, not submodules of another entry: an unknown
    module is more often a small library than a heavy one (the heavy ones are what the
    table lists), and its dependencies are unknown too, so its whole cost is the fair guess.
    """
    light = [
        entry["total_ms"]
        for name, entry in entries.items()
        if not entry["stdlib"]
        and entry["total_ms"] < HEAVY_MS
        and owning_entry(name, [other for other in entries if other != name]) is None
    ]
    return round(statistics.median(light), 1)


def scheduling() -> str:
    """The scheduling policy the measurements ran under (a busy machine wants a real-time one)."""
    try:
        policy = os.sched_getscheduler(0)
    except (AttributeError, OSError):
        return "unknown"
    names = {
        getattr(os, name): name for name in ("SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH")
    }
    if policy in (os.SCHED_FIFO, os.SCHED_RR):
        return f"{names[policy]} priority {os.sched_getparam(0).sched_priority}"
    return f"{names.get(policy, policy)} nice {os.getpriority(os.PRIO_PROCESS, 0)}"


def cpu_model() -> str:
    """The CPU's model name (Linux), else what :mod:`platform` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


METHOD = (
    "Each module is imported by `python -I -X importtime -c '<statement>'` in a fresh "
    "interpreter of a virtualenv holding only its group's pinned requirements and their "
    "dependencies, after one warm-up import (bytecode compiled, files in the page cache). Runs "
    "go round by round over all modules in a shuffled order. total_ms is the cumulative "
    "importtime of everything the statement loaded; modules the interpreter had imported at "
    "start-up are not reloaded and so not counted. self_ms is the part charged to the module "
    "itself: every loaded module is charged to the table entry it belongs to by name, and a "
    "module outside the table to the entry whose import loaded it (and a package's module "
    "that a submodule entry loads to that submodule); what an import loads of another entry "
    "beyond that entry's own self_ms also counts as its own. packages lists the other "
    "table entries the import loaded, transitively, standard-library entries included, so "
    "that a combined cost counts a shared module such as json or typing once. Figures are "
    "medians over the runs."
)


def build_table(
    modules: ModuleList,
    found: Measurements,
    python: Mapping[str, str],
    versions: Mapping[str, str],
    runs: int,
) -> dict:
    """The JSON document written to :data:`OUTPUT_PATH`."""
    ordered = sorted(modules.modules, key=lambda module: module.name)
    medians = {
        module.name: summarise(module.name, found.samples[module.name]) for module in ordered
    }
    own_self_ms = {name: own for name, (_, own, _) in medians.items()}
    entries: dict[str, dict] = {}
    for module in ordered:
        total, own, packages = medians[module.name]
        beyond = beyond_own_import_ms(found.samples[module.name], packages, own_self_ms)
        entries[module.name] = {
            "total_ms": total,
            "self_ms": round(min(total, own + beyond), 1),
            "packages": packages,
            "stdlib": module.distribution is None,
            "distribution": module.distribution,
            "version": versions[module.distribution] if module.distribution else None,
            "statement": module.statement,
        }
    return {
        "format": FORMAT_VERSION,
        "generated_by": "tools/measure_import_costs.py",
        "metadata": {
            "python": dict(python),
            "platform": {
                "system": platform.system(),
                "machine": platform.machine(),
                "cpu": cpu_model(),
                "cpus": os.cpu_count(),
            },
            "date": _dt.date.today().isoformat(),
            "method": METHOD,
            "runs": runs,
            "statistic": "median",
            "startup_ms": round(statistics.median(found.startup_wall_ms), 1),
            "startup_import_ms": _ms(found.startup_import_us),
            "scheduling": scheduling(),
            "load_average": found.load_average,
        },
        "default_ms": default_ms(entries),
        "default_ms_rule": (
            f"median total_ms of the measured third-party import roots below {HEAVY_MS:g} ms: "
            "an unlisted module is more often a small library than a heavy one, and its "
            "dependencies are unknown, so its whole cost is assumed"
        ),
        "modules": entries,
    }


def dumps(table: Mapping) -> str:
    """The table as JSON, one module per line so that a regeneration diffs readably."""
    head = {key: value for key, value in table.items() if key != "modules"}
    rows = ",\n".join(
        f"{json.dumps(name)}:{json.dumps(entry, ensure_ascii=False, separators=(',', ':'))}"
        for name, entry in table["modules"].items()
    )
    head_text = json.dumps(head, indent=1, ensure_ascii=False)
    return f'{head_text[:-2]},\n"modules":{{\n{rows}\n}}\n}}\n'


# --------------------------------------------------------------------------- command line


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--python", help="interpreter to build the virtualenvs from (default: python3.11)"
    )
    parser.add_argument("--venvs", type=Path, help="folder of the virtualenvs to create or reuse")
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS, help="samples per module")
    parser.add_argument("--stdout", action="store_true", help="print the table, write nothing")
    args = parser.parse_args(argv)

    modules = load_module_list()
    base_python = args.python or f"python{modules.python}"
    venvs = (args.venvs or default_venvs(modules.python)).resolve()
    if venvs == ROOT or ROOT in venvs.parents:
        raise SystemExit(f"{venvs}: the virtualenvs must live outside the repository")
    venvs.mkdir(parents=True, exist_ok=True)
    constraints = venvs / "constraints.txt"
    constraints.write_text("\n".join(modules.pins) + "\n")
    pythons = {
        group: prepare_venv(venvs / group, base_python, requirements, constraints)
        for group, requirements in modules.groups.items()
    }
    python, versions = installed_versions(pythons, modules)
    found = measure(pythons, modules, args.runs)
    text = dumps(build_table(modules, found, python, versions, args.runs))
    if args.stdout:
        sys.stdout.write(text)
    else:
        OUTPUT_PATH.write_text(text, encoding="utf-8")
        print(f"wrote {OUTPUT_PATH.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
