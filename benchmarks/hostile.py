"""Measure lambda-lint on hostile inputs: a 10 MB SAM template, an alias bomb, and Python
files that make libcst slow or crash (deep expressions, long call chains, deep brackets).

    python benchmarks/hostile.py             # every case, 3 runs each
    python benchmarks/hostile.py --runs 1 template

Each case is a generated project linted by a whole `lambda-lint check --no-cache`
process; the median wall and CPU seconds and the peak memory are printed. Every case
must finish (LL001 where the input cannot be analysed), and quickly.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HANDLER = "def handler(event, context):\n    return context.request_id\n"
FUNCTION = """\
  Function{i}:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      CodeUri: src/
      Environment:
        Variables:
          TABLE: !Ref Table{i}
          QUEUE_URL: !Sub "https://sqs.${{AWS::Region}}.amazonaws.com/${{AWS::AccountId}}/q{i}"
      Events:
        Api:
          Type: Api
          Properties: {{Path: "/items{i}/{{id}}", Method: get}}
        Queue:
          Type: SQS
          Properties: {{Queue: !GetAtt Queue{i}.Arn, BatchSize: 10}}
  Table{i}:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      KeySchema: [{{AttributeName: id, KeyType: HASH}}]
"""


def template(size: int) -> str:
    parts = ["AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\n"]
    parts.append("Resources:\n")
    total, index = 0, 0
    while total < size:
        parts.append(FUNCTION.format(i=index))
        total += len(parts[-1])
        index += 1
    return "".join(parts)


def alias_bomb() -> str:
    lines = ["Resources:", "  Fn:", "    Type: AWS::Serverless::Function", "    Properties:"]
    lines += [
        "      Handler: app.handler",
        "      Tags:",
        "        l0: &l0 [x, x, x, x, x, x, x, x, x]",
    ]
    for level in range(1, 9):
        lines.append(f"        l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


#: the largest case last: peak memory is the largest of all runs so far
CASES = {
    "alias-bomb": {"template.yaml": alias_bomb(), "app.py": HANDLER},
    "sum": {
        "app.py": "def handler(event, context):\n    return " + " + ".join(["event"] * 5000) + "\n"
    },
    "chain": {"app.py": "def handler(event, context):\n    return event" + ".get()" * 3000 + "\n"},
    "brackets": {"app.py": "x = " + "[" * 3000 + "]" * 3000 + "\n"},
    "template": {"template.yaml": template(10 * 1024 * 1024), "src/app.py": HANDLER},
}


def measure(folder: Path, runs: int) -> tuple[float, float, float]:
    """Median wall and CPU seconds over `runs` runs, and the peak memory in MiB."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        command = [sys.executable, "-m", "lambda_lint", "check", "--no-cache", "-q", "-j", "1"]
        subprocess.run(command, cwd=folder, capture_output=True, check=False)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    peak_mib = peak / 1024 if sys.platform != "darwin" else peak / 1024 / 1024
    return statistics.median(walls), statistics.median(cpus), peak_mib


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", default=list(CASES))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"{'case':<12} {'wall s':>8} {'cpu s':>8} {'peak MiB':>9}")
    for name in args.cases:
        with tempfile.TemporaryDirectory() as temporary:
            folder = Path(temporary)
            (folder / "lambda-lint.toml").write_text("")
            for relative, text in CASES[name].items():
                (folder / relative).parent.mkdir(parents=True, exist_ok=True)
                (folder / relative).write_text(text)
            wall, cpu, peak = measure(folder, args.runs)
        print(f"{name:<12} {wall:>8.2f} {cpu:>8.2f} {peak:>9.0f}", flush=True)


if __name__ == "__main__":
    main()
