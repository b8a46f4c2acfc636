"""Lint the fetched repositories with the installed lambda-lint and measure precision.

    python benchmarks/real-world/run.py                 # lint all, print the tables
    python benchmarks/real-world/run.py --repos DVSA    # only some
    python benchmarks/real-world/run.py --table         # the tables of the stored results
    python benchmarks/real-world/run.py --sample 15     # findings to judge, per code
    python benchmarks/real-world/run.py --score         # precision per code from judged*.csv

Each repository is linted from its root as a new user would:
`lambda-lint check . --output-format json --no-cache`. The JSON output, standard error,
exit status and wall time are kept in the results folder (default `<cache>/results`);
`--table`, `--sample` and `--score` read those results and lint nothing.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from corpus import HERE, JUDGED_PATTERN, Repo, default_cache, load_repos, materialised, select

VERDICTS = ("tp", "fp", "unwanted")
JUDGED_COLUMNS = ["repo", "file", "line", "code", "verdict", "reason"]


@dataclass(frozen=True)
class Finding:
    """One reported finding, keyed as judged.csv keys it."""

    repo: str
    file: str
    line: int
    code: str
    message: str

    @property
    def key(self) -> tuple[str, str, int, str]:
        return (self.repo, self.file, self.line, self.code)


# --- linting -------------------------------------------------------------------------


def lint(
    repo: Repo, root: Path, results: Path, command: list[str], extra: list[str], timeout: float
) -> dict:
    """Run lambda-lint in one repository (`extra`: more `check` options); store its
    output; return the run's record."""
    started = time.perf_counter()
    cpu_before = children_cpu()
    # In a process group of its own, so that a time-out ends lambda-lint's workers too.
    process = subprocess.Popen(
        [*command, "check", ".", "--output-format", "json", "--no-cache", *extra],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
        exit_status = process.returncode
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        exit_status, stdout, stderr = None, "", f"timed out after {timeout:.0f} s\n"
    wall = time.perf_counter() - started
    cpu = children_cpu() - cpu_before
    (results / f"{repo.name}.json").write_text(stdout, encoding="utf-8")
    (results / f"{repo.name}.stderr").write_text(stderr, encoding="utf-8")
    try:
        parsed = json.loads(stdout)
    except ValueError:
        parsed = None
    problems = [line for line in stderr.splitlines() if "internal error" in line]
    crashed = exit_status not in (0, 1, 2) or parsed is None or "Traceback" in stderr
    return {
        "commit": repo.commit,
        "exit": exit_status,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "python_files": sum(1 for _ in python_files(root)),
        "findings": len(parsed) if parsed is not None else None,
        "internal_errors": problems,
        "crashed": crashed,
        "stderr_tail": stderr.splitlines()[-3:] if crashed else [],
    }


def children_cpu() -> float:
    """User and system seconds of every finished child process, their workers included."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def python_files(root: Path):
    """Every `.py` file of a checkout, its own `.git` left out."""
    return (path for path in root.rglob("*.py") if ".git" not in path.relative_to(root).parts)


def lint_all(repos: list[Repo], cache: Path, results: Path, args: argparse.Namespace) -> dict:
    """Lint every fetched repository (`--jobs` at a time); returns the updated run records."""
    command, extra = shlex.split(args.lambda_lint), shlex.split(args.lint_args)
    if shutil.which(command[0]) is None:
        raise SystemExit(f"{command[0]}: not found; install lambda-lint or pass --lambda-lint")
    ready = [repo for repo in repos if materialised(cache, repo)]
    for repo in repos:
        if repo not in ready:
            print(f"skipped {repo.name}: not fetched at {repo.commit[:12]} (run fetch.py)")
    runs = load_runs(results, repos)

    def one(repo: Repo) -> tuple[Repo, dict]:
        record = lint(repo, cache / repo.key, results, command, extra, args.timeout)
        if args.jobs > 1:
            record["cpu_s"] = None  # runs overlap: the process-wide measure mixes them
        return repo, record

    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for repo, record in pool.map(one, ready):
            runs[repo.name] = record
            text = json.dumps(record, indent=2, sort_keys=True)
            (results / f"{repo.name}.run.json").write_text(text, encoding="utf-8")
            print(f"{repo.name:<45} exit {record['exit']}  {record['wall_s']:7.1f} s", flush=True)
    return runs


def load_runs(results: Path, repos: list[Repo]) -> dict:
    """The stored run record (exit status, time, errors) of each repository that has one."""
    runs = {}
    for repo in repos:
        path = results / f"{repo.name}.run.json"
        if path.is_file():
            runs[repo.name] = json.loads(path.read_text(encoding="utf-8"))
    return runs


def repo_relative(filename: str, repo: Repo) -> str:
    """`filename` as judged files key it: relative to the repository root, `/`-separated.

    lambda-lint reports absolute paths (as Ruff does); the results may come from another
    machine or cache folder, so the root is found by the repository's folder name.
    """
    parts = Path(filename).parts
    if Path(filename).is_absolute() and repo.key in parts:
        parts = parts[len(parts) - parts[::-1].index(repo.key) :]
    return Path(*parts).as_posix().removeprefix("./")


def load_findings(results: Path, repos: list[Repo]) -> dict[str, list[Finding]]:
    """Stored findings per repository name, for the repositories that have results."""
    found: dict[str, list[Finding]] = {}
    for repo in repos:
        path = results / f"{repo.name}.json"
        if not path.is_file():
            continue
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            continue
        found[repo.name] = [
            Finding(
                repo.name,
                repo_relative(item["filename"], repo),
                item["location"]["row"],
                item["code"],
                item["message"],
            )
            for item in raw
        ]
    return found


# --- tables --------------------------------------------------------------------------


def print_tables(repos: list[Repo], runs: dict, findings: dict[str, list[Finding]]) -> None:
    """Per repository: files, findings, time, status and codes; then findings per code."""
    print(
        f"\n{'repository':<45} {'.py':>6} {'found':>6} {'wall s':>7} {'cpu s':>7} {'exit':>4}  codes"
    )
    totals: Counter = Counter()
    spread: dict[str, set[str]] = defaultdict(set)
    for repo in repos:
        record = runs.get(repo.name)
        if record is None:
            continue
        codes = Counter(finding.code for finding in findings.get(repo.name, []))
        totals.update(codes)
        for code in codes:
            spread[code].add(repo.name)
        listed = " ".join(f"{code}:{count}" for code, count in sorted(codes.items()))
        print(
            f"{repo.name:<45} {record['python_files']:>6} {record['findings'] or 0:>6} "
            f"{record['wall_s']:>7.1f} {cpu_text(record):>7} {record['exit']!s:>4}  {listed}"
        )
    ran = [runs[repo.name] for repo in repos if repo.name in runs]
    print(
        f"{'total':<45} {sum(r['python_files'] for r in ran):>6} "
        f"{sum(totals.values()):>6} {sum(r['wall_s'] for r in ran):>7.1f} "
        f"{sum(r.get('cpu_s') or 0 for r in ran):>7.1f}"
    )
    print(f"\n{'code':<6} {'findings':>8} {'repos':>5}")
    for code, count in sorted(totals.items()):
        print(f"{code:<6} {count:>8} {len(spread[code]):>5}")
    print_errors(repos, runs)


def cpu_text(record: dict) -> str:
    """CPU seconds of a run; `-` where the record predates the measure or runs overlapped."""
    cpu = record.get("cpu_s")
    return "-" if cpu is None else f"{cpu:.1f}"


def print_errors(repos: list[Repo], runs: dict) -> None:
    """Runs that exited 2, crashed, or reported internal errors."""
    troubled = [
        (repo.name, runs[repo.name])
        for repo in repos
        if repo.name in runs
        and (
            runs[repo.name]["exit"] == 2
            or runs[repo.name]["crashed"]
            or runs[repo.name]["internal_errors"]
        )
    ]
    print(f"\nerrors: {len(troubled)} repositories")
    for name, record in troubled:
        print(f"  {name}: exit {record['exit']}, crashed={record['crashed']}")
        for line in record["internal_errors"][:10] + record["stderr_tail"]:
            print(f"    {line}")


# --- judging -------------------------------------------------------------------------


def load_judged(folder: Path = HERE) -> dict[tuple[str, str, int, str], tuple[str, str]]:
    """(repo, file, line, code) -> (verdict, reason) from every judged*.csv in `folder`.

    A malformed row, or a finding judged twice in one file, stops the run naming the
    file and line. A finding judged in two files keeps its first verdict (files are read
    in name order); if the verdicts differ, a warning names both places.
    """
    judged: dict[tuple[str, str, int, str], tuple[str, str]] = {}
    seen_at: dict[tuple[str, str, int, str], str] = {}
    for path in sorted(folder.glob(JUDGED_PATTERN)):
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            if reader.fieldnames != JUDGED_COLUMNS:
                raise SystemExit(f"{path}: columns must be {','.join(JUDGED_COLUMNS)}")
            for row in reader:
                where = f"{path.name}:{reader.line_num}"
                if row["verdict"] not in VERDICTS:
                    raise SystemExit(
                        f"{where}: verdict {row['verdict']!r} is not one of {VERDICTS}"
                    )
                if not row["line"].isdigit():
                    raise SystemExit(f"{where}: line {row['line']!r} is not a number")
                key = (row["repo"], row["file"], int(row["line"]), row["code"])
                first = seen_at.get(key)
                if first is not None and first.startswith(f"{path.name}:"):
                    raise SystemExit(f"{where}: {key} is judged twice (first at {first})")
                if first is not None:
                    if judged[key][0] != row["verdict"]:
                        print(
                            f"warning: {where} judges {key} {row['verdict']}, {first} "
                            f"{judged[key][0]}; keeping {first}",
                            file=sys.stderr,
                        )
                    continue
                judged[key] = (row["verdict"], row["reason"])
                seen_at[key] = where
    return judged


def stratified_sample(
    findings: dict[str, list[Finding]], judged: dict, per_code: int, seed: int
) -> list[Finding]:
    """Up to `per_code` unjudged findings of each code, taken round-robin over repositories."""
    by_code: dict[str, dict[str, list[Finding]]] = defaultdict(lambda: defaultdict(list))
    for repo_findings in findings.values():
        for finding in repo_findings:
            if finding.key not in judged:
                by_code[finding.code][finding.repo].append(finding)
    chosen = []
    for code in sorted(by_code):
        rng = random.Random(f"{seed}:{code}")
        pools = [by_code[code][name] for name in sorted(by_code[code])]
        for pool in pools:
            rng.shuffle(pool)
        rng.shuffle(pools)
        taken = 0
        while taken < per_code and any(pools):
            for pool in pools:
                if pool and taken < per_code:
                    chosen.append(pool.pop())
                    taken += 1
    return chosen


def write_sample(sample: list[Finding], target: Path) -> None:
    """The sample as judged.csv rows (verdict and reason blank) plus the message."""
    with target.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*JUDGED_COLUMNS, "message"])
        for finding in sample:
            writer.writerow([*finding.key, "", "", finding.message])
    for finding in sample:
        print(f"{finding.code}  {finding.repo}/{finding.file}:{finding.line}  {finding.message}")
    print(f"\n{len(sample)} findings to judge written to {target}")


def score(findings: dict[str, list[Finding]], judged: dict) -> None:
    """Precision per code over the judged findings that are still reported."""
    reported = {finding.key: finding for items in findings.values() for finding in items}
    verdicts: dict[str, Counter] = defaultdict(Counter)
    unjudged: Counter = Counter()
    fixed: Counter = Counter()
    lost: Counter = Counter()
    for key, finding in reported.items():
        if key in judged:
            verdicts[finding.code][judged[key][0]] += 1
        else:
            unjudged[finding.code] += 1
    for key, (verdict, _reason) in judged.items():
        if key[0] in findings and key not in reported:
            (lost if verdict == "tp" else fixed)[key[3]] += 1
    codes = sorted(set(verdicts) | set(unjudged) | set(fixed) | set(lost))
    header = f"{'code':<6} {'tp':>4} {'fp':>4} {'unw':>4} {'precision':>9} {'unjudged':>8}"
    print(f"{header} {'fixed fp':>8} {'lost tp':>7}")
    estimate_hits = estimate_total = 0.0
    for code in codes:
        counts = verdicts[code]
        judged_here = sum(counts[v] for v in VERDICTS)
        precision = counts["tp"] / judged_here if judged_here else None
        if precision is not None:
            estimate_hits += precision * (judged_here + unjudged[code])
            estimate_total += judged_here + unjudged[code]
        shown = f"{precision:.2f}" if precision is not None else "-"
        print(
            f"{code:<6} {counts['tp']:>4} {counts['fp']:>4} {counts['unwanted']:>4} {shown:>9} "
            f"{unjudged[code]:>8} {fixed[code]:>8} {lost[code]:>7}"
        )
    all_counts = sum(verdicts.values(), Counter())
    judged_total = sum(all_counts[v] for v in VERDICTS)
    if judged_total:
        print(
            f"\njudged and reported: {judged_total}, precision {all_counts['tp'] / judged_total:.2f}"
        )
    if estimate_total:
        print(
            f"estimated precision of all {int(estimate_total)} reported findings "
            f"(per-code precision weighted by count): {estimate_hits / estimate_total:.2f}"
        )


# --- command line --------------------------------------------------------------------


def default_command() -> str:
    """The `lambda-lint` installed beside this interpreter, else the one on PATH."""
    beside = Path(sys.executable).parent / "lambda-lint"
    return str(beside) if beside.is_file() else (shutil.which("lambda-lint") or "lambda-lint")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, default=default_cache(), help="fetched copies")
    parser.add_argument("--results", type=Path, help="results folder (default <cache>/results)")
    parser.add_argument("--repos", help="comma-separated names (default: all)")
    parser.add_argument("--jobs", type=int, default=1, help="repositories linted at once")
    parser.add_argument("--lambda-lint", default=default_command(), help="command to run")
    parser.add_argument(
        "--lint-args", default="", help="extra `check` options, e.g. '--select ALL'"
    )
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per repository")
    parser.add_argument("--table", action="store_true", help="tables of stored results only")
    parser.add_argument("--sample", type=int, metavar="N", help="N unjudged findings per code")
    parser.add_argument("--seed", type=int, default=0, help="seed of --sample")
    parser.add_argument("--score", action="store_true", help="precision per code")
    args = parser.parse_args(argv)

    cache = args.cache.expanduser().resolve()
    results = (args.results or cache / "results").expanduser().resolve()
    results.mkdir(parents=True, exist_ok=True)
    repos = select(load_repos(), args.repos)
    if args.sample is not None or args.score:
        findings = load_findings(results, repos)
        judged = load_judged()
        if args.sample is not None:
            sample = stratified_sample(findings, judged, args.sample, args.seed)
            write_sample(sample, results / "sample.csv")
        if args.score:
            score(findings, judged)
        return 0
    runs = load_runs(results, repos) if args.table else lint_all(repos, cache, results, args)
    print_tables(repos, runs, load_findings(results, repos))
    return 0


if __name__ == "__main__":
    sys.exit(main())
