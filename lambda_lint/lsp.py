"""The language server: `lambda-lint server` speaks LSP over standard input and output.

A document is linted within its project, exactly as the CLI lints a file: descriptors,
config and the other modules come from disk, every open Python module of the same
project from the editor's buffer. One run lints all the open documents of a project, and
each of them is re-published when its findings change, so an edit to a helper module
updates the handler that calls it (and the reverse).

- Diagnostics on open and save (at once), on change (debounced, latest version wins),
  cleared on close. Ranges are converted from code points to the negotiated position
  encoding (the client's first choice among UTF-8, UTF-16 and UTF-32; UTF-16 when it
  states none).
- Code actions: "Fix: ..." for each finding with a fix (safe ones first and preferred),
  "Suppress LLxxx on this line" (adds or extends a `# noqa` comment) and
  `source.fixAll.lambda-lint` (every safe fix of the document, for code-actions-on-save).
- A code lens on each handler's `def` line: its estimated INIT import cost against the
  cold-start budget (`lambda_lint.coldstart.lens`).
- Settings are resolved from the document's path and reloaded when the config file
  changes (its modification time is checked on every run, and a
  `workspace/didChangeWatchedFiles` notification drops the cache). A broken config or
  plugin is shown with `window/showMessage` and clears the project's diagnostics; the
  server keeps running.
- The project's files are read once and kept between runs. A kept file is read again
  when its stamp changes; under the workspace folders of a client that watches files
  (dynamic registration of `workspace/didChangeWatchedFiles`), when the client reports
  its change: an edit does not look at the project's thousands of files again.
- What a run stores in the cache is written to disk after its diagnostics are published,
  once no other run was asked for within 50 ms (or after ten runs in a row), a slice at
  a time, each queued behind the runs asked for meanwhile (the first run over
  a project of 1,500 files leaves about 4 s of writing, which the next edit would
  otherwise wait for), and the server collects cyclic garbage itself then too
  (`collector.BetweenRuns`), instead of when allocations pass a threshold, so an edit
  waits neither for the encoding of the edited file's summary nor for a collection of
  the objects earlier runs piled up (a quarter of a second on a project of 1,500 files).
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path
from pygls.workspace import PositionCodec, TextDocument

from lambda_lint import __version__
from lambda_lint.api import Linter
from lambda_lint.cache import Cache, default_cache_dir
from lambda_lint.collector import BetweenRuns
from lambda_lint.config import (
    ConfigError,
    Settings,
    find_config_file,
    load_config_file,
)
from lambda_lint.descriptors import descriptor_kind
from lambda_lint.discover import Excluder, Listing, discover, is_python, project_root
from lambda_lint.finding import Edit, Finding, Fix, Position
from lambda_lint.read_files import KeptSources
from lambda_lint.rule import BaseRule
from lambda_lint.session import Configuration, ConfigurationError, configure
from lambda_lint.suppress import noqa_edit

logger = logging.getLogger(__name__)

SOURCE = "lambda-lint"
FIX_ALL = "source.fixAll.lambda-lint"
DEFAULT_DEBOUNCE = 0.3
#: how long writing the caches to disk may hold up a run asked for meanwhile, in seconds
FLUSH_SLICE = 0.01
#: how long the server waits, once a run's diagnostics are out, for the next run to be
#: asked for before it writes the caches and collects garbage: runs asked for in quick
#: succession (an editor without a debounce) do not wait for that work, for at most
#: `HOUSEKEEPING_EVERY` runs in a row
IDLE_BEFORE_HOUSEKEEPING = 0.05
HOUSEKEEPING_EVERY = 10
#: files whose change on disk can change findings of open documents
WATCHED = (
    "**/lambda-lint.toml",
    "**/pyproject.toml",
    "**/*.py",
    "**/template.{yaml,yml,json}",
    "**/serverless.{yml,yaml}",
    "**/samconfig.toml",
    "**/cdk.json",
    "**/*.tf",
)


# -- configuration ------------------------------------------------------------------------


def load_configuration(config_file: Path | None, allow_local_plugins: bool) -> Configuration:
    """Settings and enabled rules from a config file (None: the defaults); local
    plugins and `cache-dir` only with the user's consent (see `lambda_lint.session`)."""
    try:
        settings = load_config_file(config_file) if config_file else Settings()
    except ConfigError as error:
        raise ConfigurationError(str(error)) from None
    return configure(settings, allow_local_plugins)


def _stamp(path: Path | None) -> int | None:
    if path is None:
        return None
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


class Configurations:
    """One `Configuration` per config file, reloaded when the file's mtime changes."""

    def __init__(self, allow_local_plugins: bool = False) -> None:
        self.allow_local_plugins = allow_local_plugins
        self._loaded: dict[Path | None, tuple[int | None, Configuration]] = {}

    def clear(self) -> None:
        self._loaded.clear()

    def for_file(self, path: Path) -> Configuration:
        config_file = find_config_file(path)
        stamp = _stamp(config_file)
        cached = self._loaded.get(config_file)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        configuration = load_configuration(config_file, self.allow_local_plugins)
        self._loaded[config_file] = (stamp, configuration)
        return configuration


# -- documents and projects ----------------------------------------------------------------


def document_path(uri: str) -> Path | None:
    """The file behind a document, if it is one lambda-lint lints (Python or descriptor)."""
    fs_path = to_fs_path(uri)
    if fs_path is None:
        return None
    path = Path(fs_path)
    if not (is_python(path) or descriptor_kind(path)):
        return None
    return path.resolve()


def project_of(path: Path) -> Path:
    """The project root of a file, found as `discover` finds it."""
    return project_root(path)


def is_excluded(path: Path, root: Path, settings: Settings) -> bool:
    """Whether the project walk would skip the file (exclude patterns, `.gitignore`).
    The CLI checks a file named on its command line regardless; an editor opens files
    the user never asked to lint, so the server honours the exclusions."""
    excluder = Excluder(settings)
    if root not in path.parents:
        return excluder.excluded(path, [])
    ignore_roots = [p for p in (*reversed(root.parents), root) if (p / ".gitignore").is_file()]
    current = root
    for part in path.relative_to(root).parts:
        current = current / part
        if excluder.excluded(current, ignore_roots):
            return True
        if (current / ".gitignore").is_file():
            ignore_roots.append(current)
    return False


@dataclass
class Snapshot:
    """An open document as it was when a run started."""

    uri: str
    version: int | None
    text: str


@dataclass
class Outcome:
    """What one run over a project's open documents found."""

    rules: Mapping[str, type[BaseRule]]
    #: the folder the displayed paths of findings are relative to
    cwd: Path
    findings: dict[Path, list[Finding]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


#: the server's caches, by folder: their entries stay in memory between runs
_caches: dict[Path, Cache] = {}
#: what the walks of a project found, by project root, with the settings they were made
#: with: a listing is used again while the files it rests on are unchanged
_listings: dict[Path, tuple[Settings, dict[Path, Listing]]] = {}


#: the project's files as last read, by project root (see `KeptSources`)
_sources: dict[Path, KeptSources] = {}
#: the folders under which the client reports every change of a Python file
#: (`report_changes_under`)
_reported: list[Path] = []


def report_changes_under(folders: Sequence[Path]) -> None:
    """From now on the client reports every change of the Python files under `folders`
    (its file watchers are set): what is read of them is kept without looking at the
    files again on every run, until a change is reported (`forget_files`). What was read
    before is read again."""
    _reported[:] = folders
    _sources.clear()


def forget_files(paths: Sequence[Path]) -> None:
    """Read the files at `paths` again on the next run, and those under them (a folder
    reported as deleted)."""
    for sources in _sources.values():
        for path in paths:
            sources.forget(path)


def forget_listings() -> None:
    """Walk every project again on its next run (files were created or deleted)."""
    _listings.clear()


def _listings_for(root: Path, settings: Settings) -> dict[Path, Listing]:
    kept = _listings.get(root)
    if kept is None or kept[0] is not settings:
        kept = _listings[root] = (settings, {})
    return kept[1]


def flush_caches(seconds: float | None = None) -> bool:
    """Write what the runs stored in the caches (see `Cache.flush`); whether some of it
    is still to be written. Once all is written, the entries no run used for long are
    removed (`Cache.prune`: a shard of the cache, at most once an hour)."""
    pending = any([cache.flush(seconds) for cache in _caches.values()])
    if not pending:
        for cache in _caches.values():
            cache.prune()
    return pending


def lint_documents(
    configurations: Configurations, root: Path, documents: Mapping[Path, Snapshot]
) -> Outcome:
    """Lint the open documents of one project (runs in the worker thread)."""
    configuration = configurations.for_file(min(documents))
    # the cache spares re-summarising the project's other files on every keystroke
    # (summaries and descriptor readings stay in memory between runs), and re-checking
    # an open buffer whose text and model slice did not change (another buffer was
    # edited)
    folder = configuration.settings.cache_dir or default_cache_dir()
    cache = _caches.get(folder)
    if cache is None:
        cache = _caches[folder] = Cache(
            folder,
            remember=(
                "summary",
                "file-result",
                "unit-files",
                "unit-result",
                "analysis",
                "descriptor",
                "descriptor-inputs",
            ),
            deferred=True,  # written once the diagnostics are out (`after_a_run`)
        )
    # one process: the server has threads, and forking a threaded process is unsafe
    linter = Linter(
        configuration.settings,
        configuration.ruleset,
        configuration.enabled,
        root,
        cache=cache,
        jobs=1,
        sources=_kept_sources(root),
    )
    outcome = Outcome(configuration.ruleset.rules, linter.display.cwd)
    paths = [p for p in sorted(documents) if not is_excluded(p, root, configuration.settings)]
    if not paths:
        return outcome
    # open buffers, Python and descriptors alike, replace what is on disk
    overrides = {path: s.text for path, s in documents.items()}
    # the walk of a large project costs more than the edit: it is kept between runs
    projects = discover(paths, configuration.settings, _listings_for(root, configuration.settings))
    result = linter.lint(paths, overrides, projects)
    for finding in result.findings:
        outcome.findings.setdefault(outcome.cwd / finding.path, []).append(finding)
    outcome.problems = [f"lambda-lint: {warning}" for warning in configuration.warnings]
    outcome.problems.extend(
        f"lambda-lint: rule {error.code} failed on {error.path}: {error.message}"
        for error in result.internal_errors
    )
    return outcome


def _kept_sources(root: Path) -> KeptSources:
    sources = _sources.get(root)
    if sources is None:
        sources = _sources[root] = KeptSources(tuple(_reported))
    return sources


# -- positions -----------------------------------------------------------------------------


def _line_text(lines: Sequence[str], index: int) -> str:
    return lines[index].rstrip("\r\n") if 0 <= index < len(lines) else ""


def to_client(units: PositionCodec, lines: Sequence[str], position: Position) -> types.Position:
    """A finding position (1-based line, code-point column) in the client's units."""
    line = max(position.line - 1, 0)
    column = max(position.column, 0)
    if line >= len(lines):
        return types.Position(line=line, character=column)
    text = _line_text(lines, line)[:column]
    return types.Position(line=line, character=units.client_num_units(text))


def to_client_range(
    units: PositionCodec, lines: Sequence[str], start: Position, end: Position
) -> types.Range:
    return types.Range(start=to_client(units, lines, start), end=to_client(units, lines, end))


def _overlaps(a: types.Range, b: types.Range) -> bool:
    def key(p: types.Position) -> tuple[int, int]:
        return (p.line, p.character)

    return not (key(a.end) < key(b.start) or key(b.end) < key(a.start))


# -- edits ---------------------------------------------------------------------------------


def _overlapping(a: Edit, b: Edit) -> bool:
    return a.start == b.start or (a.start < b.end and b.start < a.end)


def combine_fixes(fixes: Sequence[Fix]) -> list[Edit]:
    """The edits of as many fixes as apply together: a fix that overlaps one taken
    earlier (in document order) is left for the next run."""
    taken: list[Edit] = []
    for fix in sorted(fixes, key=lambda f: min((e.start for e in f.edits), default=Position(0, 0))):
        if any(_overlapping(edit, other) for edit in fix.edits for other in taken):
            continue
        taken.extend(fix.edits)
    return sorted(taken, key=lambda e: (e.start, e.end))


def _wants(only: Sequence[str] | None, kind: str) -> bool:
    return only is None or any(kind == k or kind.startswith(f"{k}.") for k in only)


# -- the server ----------------------------------------------------------------------------


@dataclass
class Published:
    """What was last published for one document, kept for code actions."""

    version: int | None
    text: str
    findings: list[Finding]
    diagnostics: list[types.Diagnostic]


class LambdaLintServer(LanguageServer):
    def __init__(self, debounce: float = DEFAULT_DEBOUNCE) -> None:
        super().__init__("lambda-lint", __version__)
        self.debounce = debounce
        self.configurations = Configurations()
        self.published: dict[str, Published] = {}
        self._pending: dict[Path, asyncio.Task[None]] = {}
        self._last_problem: dict[Path, str] = {}
        self._shown: set[str] = set()
        # one worker: runs never overlap, and a plugin's import happens once
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lambda-lint")
        self.collector = BetweenRuns()
        self._runs_since_housekeeping = 0

    # -- scheduling ---------------------------------------------------------------------

    def schedule(self, root: Path, delay: float) -> None:
        """Lint a project after `delay` seconds, replacing a run not yet started."""
        pending = self._pending.pop(root, None)
        if pending is not None:
            pending.cancel()
        task = asyncio.ensure_future(self._lint_later(root, delay))
        self._pending[root] = task

        def forget(done: asyncio.Task[None]) -> None:
            if self._pending.get(root) is done:
                del self._pending[root]

        task.add_done_callback(forget)

    async def _lint_later(self, root: Path, delay: float) -> None:
        if delay > 0:
            await asyncio.sleep(delay)
        await self.lint_project(root)

    def schedule_document(self, uri: str, delay: float) -> None:
        path = document_path(uri)
        if path is not None:
            self.schedule(project_of(path), delay)

    def schedule_all(self, delay: float) -> None:
        roots = {project_of(p) for p in map(document_path, self.workspace.text_documents) if p}
        for root in roots:
            self.schedule(root, delay)

    def cancel_all(self) -> None:
        for task in self._pending.values():
            task.cancel()
        self._pending.clear()

    # -- linting ------------------------------------------------------------------------

    def open_documents(self, root: Path) -> dict[Path, TextDocument]:
        found = {}
        for uri, document in list(self.workspace.text_documents.items()):
            path = document_path(uri)
            if path is not None and project_of(path) == root:
                found[path] = document
        return found

    async def lint_project(self, root: Path) -> None:
        """Lint every open document of a project and publish what changed."""
        documents = {
            path: Snapshot(document.uri, document.version, document.source)
            for path, document in self.open_documents(root).items()
        }
        if not documents:
            return
        try:
            await self._lint_and_publish(root, documents)
        finally:  # whatever became of the run
            await self.after_a_run()

    async def after_a_run(self) -> None:
        """Work left for after the diagnostics are published: the caches written to
        disk, what the run let go collected. It starts once no run was asked for
        within `IDLE_BEFORE_HOUSEKEEPING` (a run asked for meanwhile cancels the task
        this runs in), and the caches are written a slice of `FLUSH_SLICE` seconds at a
        time, each queued behind the runs asked for meanwhile: after the first run over
        a large project (thousands of summaries to write, seconds of work), the next
        edit does not wait for all of it."""
        if self._runs_since_housekeeping < HOUSEKEEPING_EVERY:
            self._runs_since_housekeeping += 1
            await asyncio.sleep(IDLE_BEFORE_HOUSEKEEPING)
        loop = asyncio.get_running_loop()
        while await loop.run_in_executor(self._executor, flush_caches, FLUSH_SLICE):
            pass
        await loop.run_in_executor(self._executor, self.collector.after_a_run)
        self._runs_since_housekeeping = 0

    async def _lint_and_publish(self, root: Path, documents: dict[Path, Snapshot]) -> None:
        loop = asyncio.get_running_loop()
        try:
            outcome = await loop.run_in_executor(
                self._executor, lint_documents, self.configurations, root, documents
            )
        except ConfigurationError as error:
            self._config_problem(root, str(error))
            for snapshot in documents.values():
                self._publish(snapshot, [], {}, root)
            return
        except Exception as error:  # a crash in a run must not end the session
            logger.exception("lambda-lint failed on %s", root)
            self._show_once(f"lambda-lint failed on {root}: {type(error).__name__}: {error}")
            return
        self._last_problem.pop(root, None)
        for problem in outcome.problems:
            self._show_once(problem)
        for path, snapshot in documents.items():
            self._publish(snapshot, outcome.findings.get(path, []), outcome.rules, outcome.cwd)

    def _publish(
        self,
        snapshot: Snapshot,
        findings: list[Finding],
        rules: Mapping[str, type[BaseRule]],
        cwd: Path,
    ) -> None:
        document = self.workspace.text_documents.get(snapshot.uri)
        if document is None or document.version != snapshot.version:
            return  # closed, or changed since: a newer run is on its way
        lines = snapshot.text.splitlines(keepends=True)
        texts: dict[Path, Sequence[str]] = {}
        diagnostics = [self._diagnostic(f, lines, rules, cwd, texts) for f in findings]
        previous = self.published.get(snapshot.uri)
        self.published[snapshot.uri] = Published(
            snapshot.version, snapshot.text, findings, diagnostics
        )
        if (
            previous is not None
            and previous.version == snapshot.version
            and previous.diagnostics == diagnostics
        ):
            return
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=snapshot.uri, diagnostics=diagnostics, version=snapshot.version
            )
        )

    def clear(self, uri: str) -> None:
        self.published.pop(uri, None)
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
        )

    def _lines_of(self, path: Path, texts: dict[Path, Sequence[str]]) -> Sequence[str]:
        if path not in texts:
            document = self.workspace.text_documents.get(path.as_uri())
            if document is not None:
                texts[path] = document.lines
            else:
                try:
                    texts[path] = path.read_text(encoding="utf-8").splitlines(keepends=True)
                except (OSError, UnicodeDecodeError):
                    texts[path] = []
        return texts[path]

    def _diagnostic(
        self,
        finding: Finding,
        lines: Sequence[str],
        rules: Mapping[str, type[BaseRule]],
        cwd: Path,
        texts: dict[Path, Sequence[str]],
    ) -> types.Diagnostic:
        units = self.workspace.position_codec
        rule = rules.get(finding.code)
        url = rule.url() if rule is not None else None
        related = []
        for location in finding.related:
            path = cwd / location.path
            start = to_client(units, self._lines_of(path, texts), location.start)
            related.append(
                types.DiagnosticRelatedInformation(
                    location=types.Location(
                        uri=path.as_uri(), range=types.Range(start=start, end=start)
                    ),
                    message=location.message,
                )
            )
        warning = rule is not None and rule.severity == "warning"
        severity = types.DiagnosticSeverity.Warning if warning else types.DiagnosticSeverity.Error
        return types.Diagnostic(
            range=to_client_range(units, lines, finding.start, finding.end),
            message=finding.message,
            severity=severity,
            code=finding.code,
            code_description=types.CodeDescription(href=url) if url else None,
            source=SOURCE,
            related_information=related or None,
        )

    # -- messages -----------------------------------------------------------------------

    def _config_problem(self, root: Path, message: str) -> None:
        """Show a config problem once, and again only after it was fixed or changed."""
        if self._last_problem.get(root) == message:
            return
        self._last_problem[root] = message
        self._show(message)

    def _show_once(self, message: str) -> None:
        if message not in self._shown:
            self._shown.add(message)
            self._show(message)

    def _show(self, message: str) -> None:
        self.window_show_message(
            types.ShowMessageParams(type=types.MessageType.Error, message=message)
        )

    # -- code actions -------------------------------------------------------------------

    async def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction] | None:
        uri = params.text_document.uri
        document = self.workspace.text_documents.get(uri)
        path = document_path(uri)
        if document is None or path is None:
            return None
        state = self.published.get(uri)
        if state is None or state.version != document.version:
            await self.lint_project(project_of(path))
            state = self.published.get(uri)
            if state is None or state.version != document.version:
                return None
        only = params.context.only
        actions: list[types.CodeAction] = []
        if _wants(only, types.CodeActionKind.QuickFix):
            actions.extend(self._quick_fixes(uri, path, state, params.range))
        if _wants(only, FIX_ALL):
            fixes = [f.fix for f in state.findings if f.fix and f.fix.applicability == "safe"]
            edits = combine_fixes(fixes)
            if edits:
                actions.append(
                    types.CodeAction(
                        title="Fix all safe lambda-lint problems",
                        kind=FIX_ALL,
                        edit=self._workspace_edit(uri, state.text, edits),
                    )
                )
        return actions or None

    def _quick_fixes(
        self, uri: str, path: Path, state: Published, wanted: types.Range
    ) -> list[types.CodeAction]:
        safe, unsafe, suppress = [], [], []
        for finding, diagnostic in zip(state.findings, state.diagnostics):
            if not _overlaps(diagnostic.range, wanted):
                continue
            fix = finding.fix
            if fix is not None and fix.edits:
                is_safe = fix.applicability == "safe"
                action = types.CodeAction(
                    title=f"Fix: {fix.message}" if is_safe else f"Fix (unsafe): {fix.message}",
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic],
                    is_preferred=is_safe,
                    edit=self._workspace_edit(uri, state.text, list(fix.edits)),
                )
                (safe if is_safe else unsafe).append(action)
            edit = (
                noqa_edit(path, state.text, finding.noqa_line, [finding.code])
                if finding.noqa_line is not None
                else None
            )
            if edit is not None:
                code = finding.code
                suppress.append(
                    types.CodeAction(
                        title=f"Suppress {code} on this line (# noqa: {code})",
                        kind=types.CodeActionKind.QuickFix,
                        diagnostics=[diagnostic],
                        edit=self._workspace_edit(uri, state.text, [edit]),
                    )
                )
        return [*safe, *unsafe, *suppress]

    def _workspace_edit(self, uri: str, text: str, edits: list[Edit]) -> types.WorkspaceEdit:
        units = self.workspace.position_codec
        lines = text.splitlines(keepends=True)
        return types.WorkspaceEdit(
            changes={
                uri: [
                    types.TextEdit(
                        range=to_client_range(units, lines, edit.start, edit.end),
                        new_text=edit.content,
                    )
                    for edit in edits
                ]
            }
        )

    # -- code lenses --------------------------------------------------------------------

    async def code_lenses(self, params: types.CodeLensParams) -> list[types.CodeLens] | None:
        """Each handler's estimated INIT import cost, above its `def`."""
        from lambda_lint.coldstart.lens import handler_costs

        path = document_path(params.text_document.uri)
        if path is None or not is_python(path):
            return None
        root = project_of(path)
        overrides = {p: document.source for p, document in self.open_documents(root).items()}

        def estimate() -> list[types.CodeLens]:
            costs = handler_costs(self.configurations.for_file(path), root, path, overrides)
            return [
                types.CodeLens(
                    range=types.Range(
                        start=types.Position(line=cost.line - 1, character=0),
                        end=types.Position(line=cost.line - 1, character=0),
                    ),
                    command=types.Command(title=cost.title, command=""),
                )
                for cost in costs
            ]

        try:
            return await asyncio.get_running_loop().run_in_executor(self._executor, estimate)
        except ConfigurationError:
            return None  # shown with the diagnostics already

    # -- file watching ------------------------------------------------------------------

    async def watch_files(self) -> None:
        """Ask the client to report changes of config, descriptor and Python files."""
        capable = (
            self.client_capabilities.workspace is not None
            and self.client_capabilities.workspace.did_change_watched_files is not None
            and self.client_capabilities.workspace.did_change_watched_files.dynamic_registration
        )
        if not capable:
            return
        options = types.DidChangeWatchedFilesRegistrationOptions(
            watchers=[types.FileSystemWatcher(glob_pattern=pattern) for pattern in WATCHED]
        )
        registration = types.Registration(
            id="lambda-lint-watched-files",
            method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
            register_options=options,
        )
        try:
            await self.client_register_capability_async(
                types.RegistrationParams(registrations=[registration])
            )
        except Exception:  # the client refused: files' stamps are looked at on every run
            logger.warning("the client did not accept the file watchers", exc_info=True)
            return
        # in the worker, between runs, as everything that changes what runs keep
        folders = [Path(p).resolve() for p in map(to_fs_path, self._workspace_uris()) if p]
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._executor, report_changes_under, folders)

    def _workspace_uris(self) -> list[str]:
        uris = [folder.uri for folder in self.workspace.folders.values()]
        return uris or ([self.workspace.root_uri] if self.workspace.root_uri else [])

    def files_changed(self, params: types.DidChangeWatchedFilesParams) -> None:
        if any(
            change.uri.endswith(("/lambda-lint.toml", "/pyproject.toml"))
            for change in params.changes
        ):
            self.configurations.clear()
        forget_listings()
        changed = [Path(p).resolve() for p in (to_fs_path(c.uri) for c in params.changes) if p]
        # queued in the worker before the runs this asks for
        self._executor.submit(forget_files, changed)
        self.schedule_all(self.debounce)

    def shutdown(self) -> None:
        self.cancel_all()
        self._executor.shutdown(wait=False, cancel_futures=True)


def create_server(debounce: float = DEFAULT_DEBOUNCE) -> LambdaLintServer:
    """A server with every feature registered; `debounce` in seconds."""
    server = LambdaLintServer(debounce)

    @server.feature(types.INITIALIZE)
    def initialize(params: types.InitializeParams) -> None:
        # `{"allowLocalPlugins": true}`: the user trusts the projects opened with this
        # server to load their local plugins and choose their cache folder
        options = params.initialization_options
        allowed = isinstance(options, dict) and options.get("allowLocalPlugins") is True
        server.configurations = Configurations(allowed)

    @server.feature(types.INITIALIZED)
    async def initialized(params: types.InitializedParams) -> None:
        await server.watch_files()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: types.DidOpenTextDocumentParams) -> None:
        server.schedule_document(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: types.DidChangeTextDocumentParams) -> None:
        server.schedule_document(params.text_document.uri, server.debounce)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    def did_save(params: types.DidSaveTextDocumentParams) -> None:
        server.schedule_document(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        server.clear(uri)
        # the closed buffer's unsaved text no longer counts for the others
        server.schedule_document(uri, server.debounce)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(params: types.DidChangeWatchedFilesParams) -> None:
        server.files_changed(params)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL],
            resolve_provider=False,
        ),
    )
    async def code_action(params: types.CodeActionParams) -> list[types.CodeAction] | None:
        return await server.code_actions(params)

    @server.feature(types.TEXT_DOCUMENT_CODE_LENS, types.CodeLensOptions(resolve_provider=False))
    async def code_lens(params: types.CodeLensParams) -> list[types.CodeLens] | None:
        return await server.code_lenses(params)

    @server.feature(types.SHUTDOWN)
    def shutdown(params: None) -> None:
        server.shutdown()

    return server


def run_server(debounce: float = DEFAULT_DEBOUNCE) -> None:
    """Serve over standard input and output until the client says exit."""
    protocol_out = sys.stdout.buffer
    # anything printed (by a plugin, say) must not corrupt the protocol stream
    sys.stdout = sys.stderr
    server = create_server(debounce)
    server.collector.start()
    server.start_io(sys.stdin.buffer, protocol_out)
