"""Materialise every pinned repository of repos.toml into a cache folder.

    python benchmarks/real-world/fetch.py                      # git clone from GitHub
    python benchmarks/real-world/fetch.py --mirror /srv/mirror # from local bare mirrors

Each repository lands in `<cache>/<owner>+<name>/` at its pinned commit, with
`<cache>/<owner>+<name>.commit` recording that commit; a repository already there at the
right commit is skipped. The cache must lie outside any git repository: lambda-lint honours
enclosing `.gitignore` files, which would hide files from the run.

With `--mirror`, `<mirror>/<owner>+<name>/repo` is a bare git directory holding the commit
(or a clone, whose `.git` folder is then read).
Blobs missing from it (large files, Git LFS content) are skipped and listed in
`<cache>/<owner>+<name>.missing`; a clone from GitHub gets LFS pointer files instead.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

from corpus import Repo, default_cache, load_repos, marker_path, materialised, select

SUBMODULE_MODE = "160000"
SYMLINK_MODE = "120000"
EXECUTABLE_MODE = "100755"


def git(*args: str, cwd: Path | None = None) -> str:
    """Run git, returning its standard output; a failure stops with git's message."""
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


def tree_entries(git_dir: Path, commit: str) -> list[tuple[str, str, str]]:
    """(mode, object id, path) of every file in the commit's tree, submodules left out."""
    listing = subprocess.run(
        ["git", f"--git-dir={git_dir}", "ls-tree", "-r", "-z", "--full-tree", commit],
        capture_output=True,
        check=True,
    ).stdout
    entries = []
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, _, path = record.partition(b"\t")
        mode, _kind, oid = meta.decode().split()
        if mode != SUBMODULE_MODE:
            entries.append((mode, oid, os.fsdecode(path)))
    return entries


def extract_from_mirror(git_dir: Path, commit: str, dest: Path) -> list[str]:
    """Write the commit's files under `dest`; returns the paths whose blobs are missing.

    `git archive` stops at the first missing blob, so the files are read one by one
    through a single `git cat-file --batch` process.
    """
    git(f"--git-dir={git_dir}", "cat-file", "-e", f"{commit}^{{commit}}")
    entries = tree_entries(git_dir, commit)
    reader = subprocess.Popen(
        ["git", f"--git-dir={git_dir}", "cat-file", "--batch"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert reader.stdin is not None and reader.stdout is not None

    def ask() -> None:
        for _mode, oid, _path in entries:
            reader.stdin.write(oid.encode() + b"\n")
        reader.stdin.close()

    asker = threading.Thread(target=ask, daemon=True)
    asker.start()
    missing = []
    for mode, _oid, path in entries:
        header = reader.stdout.readline().split()
        if header[-1] == b"missing":
            missing.append(path)
            continue
        content = reader.stdout.read(int(header[2]))
        reader.stdout.read(1)  # the newline after each object
        write_entry(dest / path, mode, content)
    asker.join()
    reader.wait()
    return missing


def write_entry(target: Path, mode: str, content: bytes) -> None:
    """One tree entry as a file, an executable or a symbolic link."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if mode == SYMLINK_MODE:
        os.symlink(os.fsdecode(content), target)
        return
    target.write_bytes(content)
    if mode == EXECUTABLE_MODE:
        target.chmod(0o755)


def clone(repo: Repo, dest: Path) -> None:
    """Fetch only the pinned commit from GitHub and check it out."""
    dest.mkdir(parents=True)
    git("init", "-q", cwd=dest)
    git("remote", "add", "origin", repo.url, cwd=dest)
    git("fetch", "-q", "--depth", "1", "origin", repo.commit, cwd=dest)
    git("checkout", "-q", "--detach", "FETCH_HEAD", cwd=dest)


def materialise(repo: Repo, cache: Path, mirror: Path | None) -> str:
    """Bring one repository into the cache; returns a one-line account."""
    if materialised(cache, repo):
        return "already there"
    dest = cache / repo.key
    partial = cache / f"{repo.key}.partial"
    for stale in (dest, partial):
        if stale.exists():
            shutil.rmtree(stale)
    marker_path(cache, repo).unlink(missing_ok=True)
    missing_list = cache / f"{repo.key}.missing"
    missing_list.unlink(missing_ok=True)
    if mirror is not None:
        git_dir = mirror / repo.key / "repo"
        if (git_dir / ".git").is_dir():  # a mirror kept as a clone with a work tree
            git_dir = git_dir / ".git"
        missing = extract_from_mirror(git_dir, repo.commit, partial)
        if missing:
            missing_list.write_text("".join(f"{path}\n" for path in missing), encoding="utf-8")
        account = f"from mirror, {len(missing)} missing blobs"
    else:
        clone(repo, partial)
        account = "cloned"
    partial.rename(dest)
    marker_path(cache, repo).write_text(repo.commit + "\n", encoding="utf-8")
    return account


def enclosing_git_state(folder: Path) -> Path | None:
    """A `.git` or `.gitignore` at or above `folder`, which would change what gets linted."""
    for candidate in (folder, *folder.parents):
        for name in (".git", ".gitignore"):
            if (candidate / name).exists():
                return candidate / name
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, default=default_cache(), help="target folder")
    parser.add_argument("--mirror", type=Path, help="folder of <owner>+<name>/repo bare git dirs")
    parser.add_argument("--repos", help="comma-separated names to fetch (default: all)")
    args = parser.parse_args(argv)

    cache = args.cache.expanduser().resolve()
    found = enclosing_git_state(cache)
    if found is not None:
        print(f"error: {cache} is under {found}; choose a cache outside any git repository")
        return 2
    cache.mkdir(parents=True, exist_ok=True)
    failures = 0
    for repo in select(load_repos(), args.repos):
        try:
            account = materialise(repo, cache, args.mirror)
        except (RuntimeError, subprocess.CalledProcessError, OSError) as error:
            failures += 1
            account = f"FAILED: {error}"
        print(f"{repo.name:<45} {repo.commit[:12]}  {account}", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
