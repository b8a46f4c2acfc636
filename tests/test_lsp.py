"""The language server end to end: a real LSP client drives `lambda-lint server` over
standard input and output, as an editor would."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

pytest.importorskip("pygls")

from lsprotocol import types
from pygls.lsp.client import LanguageClient

#: the most a step may take; generous, since the server's start (importing libcst and
#: pygls) alone takes over 10 s on a loaded 2-core machine. Passing runs never wait it out.
TIMEOUT = 60.0
#: shorter than the default (300 ms) to keep the tests quick; still long enough to
#: coalesce edits sent back to back
DEBOUNCE_MS = 100

BUGGY = "def handler(event, context):\n    return {'id': context.request_id}\n"
FIXED = "def handler(event, context):\n    return {'id': context.aws_request_id}\n"

TEMPLATE = textwrap.dedent(
    """\
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Fn:
        Type: AWS::Serverless::Function
        Properties:
          Handler: app.handler
          Runtime: python3.12
    """
)
#: a heavy import used only by a function no handler calls (LL202) unless another
#: module calls it
RARE_IMPORT = (
    "import matplotlib.pyplot as plt\n\n\ndef handler(event, context):\n    return 1\n\n\n"
    "def plot_debug(frame):\n    plt.plot(frame)\n"
)

#: a local plugin with one safe and one unsafe fix, so code actions have fixes to offer
PLUGIN = textwrap.dedent(
    '''
    import libcst as cst
    import libcst.matchers as m

    from lambda_lint.rule import Rule


    class NoPrint(Rule):
        """Reports print()."""

        code = "ACME001"
        name = "no-print"
        summary = "print() instead of the logger"
        fixable = "safe"

        def visit_Call(self, node: cst.Call) -> None:
            if m.matches(node.func, m.Name("print")):
                fix = self.context.replacement(node.func, "logger.info", "Use `logger.info`")
                self.report(node, "print() instead of the logger", fix=fix)


    class NoEval(Rule):
        """Reports eval()."""

        code = "ACME002"
        name = "no-eval"
        summary = "eval() of input"
        fixable = "unsafe"

        def visit_Call(self, node: cst.Call) -> None:
            if m.matches(node.func, m.Name("eval")):
                fix = self.context.replacement(
                    node.func, "ast.literal_eval", "Use `ast.literal_eval`", "unsafe"
                )
                self.report(node, "eval() of input", fix=fix)
    '''
)


class Session:
    """A started server and what it sent back."""

    def __init__(self, client: LanguageClient, root: Path) -> None:
        self.client = client
        self.root = root
        self.capabilities: types.ServerCapabilities | None = None
        self.position_encoding: str | None = None
        self._published: dict[str, asyncio.Queue[types.PublishDiagnosticsParams]] = {}
        self.messages: asyncio.Queue[types.ShowMessageParams] = asyncio.Queue()
        self._versions: dict[str, int] = {}
        #: set once the server registered its file watchers (a client that watches)
        self.registered = asyncio.Event()

    def queue(self, uri: str) -> asyncio.Queue[types.PublishDiagnosticsParams]:
        return self._published.setdefault(uri, asyncio.Queue())

    async def diagnostics(
        self,
        uri: str,
        until: Callable[[types.PublishDiagnosticsParams], bool] = lambda _: True,
        timeout: float = TIMEOUT,
    ) -> types.PublishDiagnosticsParams:
        """The next diagnostics published for `uri` that satisfy `until`."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no matching diagnostics for {uri} in {timeout} s")
            try:
                params = await asyncio.wait_for(self.queue(uri).get(), remaining)
            except asyncio.TimeoutError:
                raise AssertionError(f"no matching diagnostics for {uri} in {timeout} s") from None
            if until(params):
                return params

    def nothing_pending(self, uri: str) -> bool:
        return self.queue(uri).empty()

    def uri(self, name: str) -> str:
        return (self.root / name).as_uri()

    def open(self, name: str, text: str | None = None) -> str:
        path = self.root / name
        uri = path.as_uri()
        self._versions[uri] = 1
        language = "python" if name.endswith(".py") else "yaml"
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri,
                    language_id=language,
                    version=1,
                    text=path.read_text(encoding="utf-8") if text is None else text,
                )
            )
        )
        return uri

    def change(self, uri: str, text: str) -> int:
        """Replace the whole buffer; returns the new version."""
        self._versions[uri] += 1
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(
                    uri=uri, version=self._versions[uri]
                ),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )
        return self._versions[uri]

    def save(self, uri: str) -> None:
        self.client.text_document_did_save(
            types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )

    def close(self, uri: str) -> None:
        self.client.text_document_did_close(
            types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )

    async def code_actions(
        self, uri: str, at: types.Range, only: list[str] | None = None
    ) -> list[types.CodeAction]:
        result = await asyncio.wait_for(
            self.client.text_document_code_action_async(
                types.CodeActionParams(
                    text_document=types.TextDocumentIdentifier(uri=uri),
                    range=at,
                    context=types.CodeActionContext(diagnostics=[], only=only),
                )
            ),
            TIMEOUT,
        )
        return [action for action in result or [] if isinstance(action, types.CodeAction)]


@asynccontextmanager
async def server(
    root: Path, encodings: list[str] | None = None, options: dict | None = None, watch: bool = False
) -> AsyncIterator[Session]:
    """Start `lambda-lint server` in `root`, initialize it (with these initialization
    options; with `watch`, as a client that watches files for the server), and shut it
    down afterwards."""
    client = LanguageClient("lambda-lint-tests", "v1")
    session = Session(client, root)

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_diagnostics(params: types.PublishDiagnosticsParams) -> None:
        session.queue(params.uri).put_nowait(params)

    @client.feature(types.WINDOW_SHOW_MESSAGE)
    def on_message(params: types.ShowMessageParams) -> None:
        session.messages.put_nowait(params)

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def on_registration(params: types.RegistrationParams) -> None:
        session.registered.set()

    await client.start_io(
        sys.executable, "-m", "lambda_lint", "server", f"--debounce-ms={DEBOUNCE_MS}", cwd=str(root)
    )
    try:
        capabilities = types.ClientCapabilities(
            general=types.GeneralClientCapabilities(position_encodings=encodings),
            text_document=types.TextDocumentClientCapabilities(
                publish_diagnostics=types.PublishDiagnosticsClientCapabilities(
                    related_information=True, version_support=True
                ),
                code_action=types.CodeActionClientCapabilities(
                    code_action_literal_support=types.ClientCodeActionLiteralOptions(
                        code_action_kind=types.ClientCodeActionKindOptions(
                            value_set=[types.CodeActionKind.QuickFix, types.CodeActionKind.Source]
                        )
                    )
                ),
            ),
            workspace=types.WorkspaceClientCapabilities(
                did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(
                    dynamic_registration=watch
                )
            ),
        )
        result = await asyncio.wait_for(
            client.initialize_async(
                types.InitializeParams(
                    capabilities=capabilities,
                    root_uri=root.as_uri(),
                    workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
                    initialization_options=options,
                )
            ),
            TIMEOUT,
        )
        session.capabilities = result.capabilities
        session.position_encoding = result.capabilities.position_encoding
        client.initialized(types.InitializedParams())
        yield session
        await asyncio.wait_for(client.shutdown_async(None), TIMEOUT)
        client.exit(None)
    finally:
        await asyncio.wait_for(_stop(client), TIMEOUT)


async def _stop(client: LanguageClient) -> None:
    process = getattr(client, "_server", None)
    if process is not None and process.returncode is None:
        try:
            await asyncio.wait_for(process.wait(), 3)
        except asyncio.TimeoutError:
            process.kill()
    await client.stop()


def project(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def span(line: int, start: int, end: int) -> types.Range:
    return types.Range(
        start=types.Position(line=line, character=start),
        end=types.Position(line=line, character=end),
    )


def apply(text: str, edits: list[types.TextEdit]) -> str:
    """Apply non-overlapping edits (ASCII text: characters are code points)."""
    lines = text.splitlines(keepends=True)

    def offset(position: types.Position) -> int:
        return sum(len(line) for line in lines[: position.line]) + position.character

    for edit in sorted(edits, key=lambda e: offset(e.range.start), reverse=True):
        start, end = offset(edit.range.start), offset(edit.range.end)
        text = text[:start] + edit.new_text + text[end:]
    return text


# -- tests ------------------------------------------------------------------------------------


def test_capabilities(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with server(tmp_path) as session:
            capabilities = session.capabilities
            assert capabilities is not None
            assert session.position_encoding == types.PositionEncodingKind.Utf16
            sync = capabilities.text_document_sync
            assert isinstance(sync, types.TextDocumentSyncOptions)
            assert sync.open_close and sync.save
            assert sync.change == types.TextDocumentSyncKind.Incremental
            actions = capabilities.code_action_provider
            assert isinstance(actions, types.CodeActionOptions)
            assert list(actions.code_action_kinds or []) == [
                "quickfix",
                "source.fixAll.lambda-lint",
            ]

    asyncio.run(scenario())


def test_diagnostics_follow_the_buffer(tmp_path: Path) -> None:
    """Open a buggy handler, suppress, fix, re-break and close it."""
    root = project(tmp_path, {"lambda-lint.toml": "", "app.py": BUGGY})

    async def scenario() -> None:
        async with server(root) as session:
            uri = session.open("app.py")
            published = await session.diagnostics(uri)
            assert published.version == 1
            [diagnostic] = published.diagnostics
            assert diagnostic.code == "LL501"
            assert diagnostic.range == span(1, 18, 36)
            assert diagnostic.message == (
                "the Lambda context has no attribute `request_id`; did you mean `aws_request_id`?"
            )
            assert diagnostic.source == "lambda-lint"
            assert diagnostic.severity == types.DiagnosticSeverity.Error
            assert diagnostic.code_description is not None
            assert diagnostic.code_description.href.endswith("/LL501.md")

            # the cursor inside the finding: the rule's fix, then the suppression
            actions = await session.code_actions(uri, span(1, 25, 25))
            titles = [action.title for action in actions]
            assert titles[0].startswith("Fix: ")
            assert titles[1:] == [
                "Suppress LL501 on this line (# noqa: LL501)",
                "Fix all safe lambda-lint problems",
            ]
            fix, suppress, fix_all = actions
            assert fix.is_preferred and fix.kind == types.CodeActionKind.QuickFix
            assert fix.edit is not None and fix.edit.changes is not None
            assert apply(BUGGY, fix.edit.changes[uri]) == FIXED
            assert fix_all.edit is not None and fix_all.edit.changes is not None
            assert apply(BUGGY, fix_all.edit.changes[uri]) == FIXED
            assert suppress.kind == types.CodeActionKind.QuickFix
            assert list(suppress.diagnostics or []) == [diagnostic]
            assert suppress.edit is not None and suppress.edit.changes is not None
            suppressed = apply(BUGGY, suppress.edit.changes[uri])
            assert suppressed.splitlines()[1].endswith("context.request_id}  # noqa: LL501")
            session.change(uri, suppressed)
            published = await session.diagnostics(uri)
            assert (published.version, published.diagnostics) == (2, ())

            # two quick edits: the last one wins (the first is normally never linted, as
            # the debounce coalesces them; nothing older may be published after it)
            session.change(uri, BUGGY)
            version = session.change(uri, FIXED)
            published = await session.diagnostics(uri, lambda p: p.version == version)
            assert published.diagnostics == ()

            version = session.change(uri, BUGGY)
            published = await session.diagnostics(uri)
            assert published.version == version
            assert [d.code for d in published.diagnostics] == ["LL501"]

            session.close(uri)
            published = await session.diagnostics(uri)
            assert published.diagnostics == ()

    asyncio.run(scenario())


def test_fix_actions_safe_first_and_fix_all(tmp_path: Path) -> None:
    text = "def handler(event, context):\n    print(eval(event['body']))\n"
    root = project(
        tmp_path,
        {
            # the built-in LL603 reports this eval too; here only the plugin's fixes count
            "lambda-lint.toml": 'plugins = ["acme_rules"]\nignore = ["LL603"]\n',
            "acme_rules.py": PLUGIN,
            "app.py": text,
        },
    )

    async def scenario() -> None:
        async with server(root, options={"allowLocalPlugins": True}) as session:
            uri = session.open("app.py")
            published = await session.diagnostics(uri)
            codes = sorted(str(d.code) for d in published.diagnostics)
            assert codes == ["ACME001", "ACME002"]
            plugin = next(d for d in published.diagnostics if d.code == "ACME001")
            assert plugin.code_description is None  # plugins have no docs URL

            actions = await session.code_actions(uri, span(1, 10, 10))
            assert [action.title for action in actions] == [
                "Fix: Use `logger.info`",
                "Fix (unsafe): Use `ast.literal_eval`",
                "Suppress ACME001 on this line (# noqa: ACME001)",
                "Suppress ACME002 on this line (# noqa: ACME002)",
                "Fix all safe lambda-lint problems",
            ]
            safe, unsafe = actions[0], actions[1]
            assert safe.is_preferred and not unsafe.is_preferred
            assert safe.edit is not None and safe.edit.changes is not None
            assert apply(text, safe.edit.changes[uri]).splitlines()[1] == (
                "    logger.info(eval(event['body']))"
            )
            # both suppressions on one line merge into one comment
            first = actions[2].edit.changes[uri]  # type: ignore[union-attr]
            once = apply(text, first)
            session.change(uri, once)
            await session.diagnostics(uri, lambda p: p.version == 2)
            [merged] = [
                action
                for action in await session.code_actions(uri, span(1, 10, 10))
                if action.title.startswith("Suppress ACME002")
            ]
            twice = apply(once, merged.edit.changes[uri])  # type: ignore[union-attr]
            assert twice.splitlines()[1].endswith("  # noqa: ACME001, ACME002")

            # code actions on save: only the safe fix
            session.change(uri, text)
            await session.diagnostics(uri, lambda p: p.version == 3)
            [fix_all] = await session.code_actions(
                uri, span(0, 0, 0), only=["source.fixAll.lambda-lint"]
            )
            assert fix_all.kind == "source.fixAll.lambda-lint"
            fixed = apply(text, fix_all.edit.changes[uri])  # type: ignore[union-attr]
            assert fixed.splitlines()[1] == "    logger.info(eval(event['body']))"

    asyncio.run(scenario())


def test_project_plugins_load_only_with_the_initialization_option(tmp_path: Path) -> None:
    """A folder opened in the editor must not run its code: its `plugins` are left out
    (with a message) unless the client passes `allowLocalPlugins`."""
    marker = tmp_path / "IMPORTED"
    root = project(
        tmp_path,
        {
            "lambda-lint.toml": 'plugins = ["acme_rules"]\n',
            "acme_rules.py": f"open({str(marker)!r}, 'w').close()\n" + PLUGIN,
            "app.py": BUGGY,
        },
    )

    async def scenario() -> None:
        async with server(root) as session:
            uri = session.open("app.py")
            published = await session.diagnostics(uri)
            assert [d.code for d in published.diagnostics] == ["LL501"]
            message = await asyncio.wait_for(session.messages.get(), TIMEOUT)
            assert "local plugins acme_rules not loaded" in message.message
            assert "LAMBDA_LINT_ALLOW_LOCAL_PLUGINS" in message.message
        assert not marker.exists()

    asyncio.run(scenario())


def test_helper_module_open_alongside(tmp_path: Path) -> None:
    """An unsaved edit to the handler changes the findings of the open helper."""
    handler_without = "def handler(event, context):\n    return 1\n"
    handler_with = (
        "from audit import record\n\n\ndef handler(event, context):\n    record(context)\n"
    )
    helper = (
        "import os\n\n\ndef record(ctx):\n    if ctx is None:\n        os._exit(1)\n"
        "    return ctx.function_arn\n"
    )
    root = project(
        tmp_path, {"lambda-lint.toml": "", "app.py": handler_without, "audit.py": helper}
    )

    async def scenario() -> None:
        async with server(root) as session:
            helper_uri = session.open("audit.py")
            assert (await session.diagnostics(helper_uri)).diagnostics == ()
            app_uri = session.open("app.py")
            assert (await session.diagnostics(app_uri)).diagnostics == ()

            session.change(app_uri, handler_with)  # not saved: the server reads the buffer
            published = await session.diagnostics(helper_uri)
            assert published.version == 1  # the helper itself did not change
            exit_call, context_attribute = published.diagnostics
            assert context_attribute.code == "LL501"
            assert "invoked_function_arn" in context_attribute.message
            assert context_attribute.range == span(6, 11, 27)
            # the call chain from the handler, in the unsaved handler buffer
            assert exit_call.code == "LL107"
            [step] = exit_call.related_information or []
            assert step.location.uri == app_uri
            assert step.location.range.start == types.Position(line=4, character=4)
            assert step.message == "handler() calls record()"

            session.change(app_uri, handler_without)
            assert (await session.diagnostics(helper_uri)).diagnostics == ()

            # closing the edited handler: the helper is re-linted against the disk text
            session.change(app_uri, handler_with)
            assert (await session.diagnostics(helper_uri)).diagnostics != ()
            session.close(app_uri)
            assert (await session.diagnostics(helper_uri)).diagnostics == ()

    asyncio.run(scenario())


TEMPLATE = textwrap.dedent(
    """\
    AWSTemplateFormatVersion: "2010-09-09"
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Orders:
        Type: AWS::Serverless::Function
        Properties:
          Runtime: python3.12
          CodeUri: src/
          Handler: orders.process
    """
)


def test_descriptor_open_alongside_its_handler_module(tmp_path: Path) -> None:
    """LL103 on an open template follows the unsaved handler module; its suppression
    goes into a YAML comment."""
    module = "def main(event, context):\n    return 1\n"
    root = project(tmp_path, {"template.yaml": TEMPLATE, "src/orders.py": module})

    async def scenario() -> None:
        async with server(root) as session:
            template_uri = session.open("template.yaml")
            [diagnostic] = (await session.diagnostics(template_uri)).diagnostics
            assert diagnostic.code == "LL103"
            assert diagnostic.range == span(8, 15, 29)
            module_uri = session.open("src/orders.py")
            await session.diagnostics(module_uri)

            session.change(module_uri, module + "\n\ndef process(event, context):\n    return 2\n")
            assert (await session.diagnostics(template_uri)).diagnostics == ()
            session.change(module_uri, module)
            [diagnostic] = (await session.diagnostics(template_uri)).diagnostics

            [action] = [
                action
                for action in await session.code_actions(template_uri, diagnostic.range)
                if action.title == "Suppress LL103 on this line (# noqa: LL103)"
            ]
            suppressed = apply(TEMPLATE, action.edit.changes[template_uri])  # type: ignore[union-attr]
            assert "      Handler: orders.process  # noqa: LL103\n" in suppressed
            (root / "template.yaml").write_text(suppressed, encoding="utf-8")
            version = session.change(template_uri, suppressed)
            session.save(template_uri)
            published = await session.diagnostics(template_uri, lambda p: p.version == version)
            assert published.diagnostics == ()

    asyncio.run(scenario())


def test_config_errors_are_shown_and_config_changes_reloaded(tmp_path: Path) -> None:
    root = project(tmp_path, {"lambda-lint.toml": 'selekt = ["LL5"]\n', "app.py": BUGGY})

    async def scenario() -> None:
        async with server(root) as session:
            uri = session.open("app.py")
            message = await asyncio.wait_for(session.messages.get(), TIMEOUT)
            assert message.type == types.MessageType.Error
            assert "unknown key 'selekt'" in message.message
            assert "did you mean 'select'" in message.message
            assert (await session.diagnostics(uri)).diagnostics == ()

            (root / "lambda-lint.toml").write_text('select = ["LL1"]\n', encoding="utf-8")
            session.save(uri)
            session.change(uri, BUGGY + "\n")
            published = await session.diagnostics(uri)
            assert published.diagnostics == ()  # the config was read again: LL5 is off

            (root / "lambda-lint.toml").write_text('select = ["LL5"]\n', encoding="utf-8")
            session.client.workspace_did_change_watched_files(
                types.DidChangeWatchedFilesParams(
                    changes=[
                        types.FileEvent(
                            uri=(root / "lambda-lint.toml").as_uri(),
                            type=types.FileChangeType.Changed,
                        )
                    ]
                )
            )
            published = await session.diagnostics(uri)
            assert [d.code for d in published.diagnostics] == ["LL501"]

    asyncio.run(scenario())


def test_parse_errors_are_diagnostics(tmp_path: Path) -> None:
    root = project(tmp_path, {"lambda-lint.toml": "", "app.py": "def handler(event, context:\n"})

    async def scenario() -> None:
        async with server(root) as session:
            uri = session.open("app.py")
            [diagnostic] = (await session.diagnostics(uri)).diagnostics
            assert diagnostic.code == "LL001"
            assert diagnostic.range.start.line == 0

    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("encodings", "negotiated", "start"),
    [
        (None, "utf-16", 18),  # the rocket is one code point, two UTF-16 units
        (["utf-32", "utf-16"], "utf-32", 17),
        (["utf-8"], "utf-8", 20),
    ],
)
def test_ranges_use_the_negotiated_encoding(
    tmp_path: Path, encodings: list[str] | None, negotiated: str, start: int
) -> None:
    text = "def handler(event, context):\n    return ('🚀', context.request_id)\n"
    root = project(tmp_path, {"lambda-lint.toml": "", "app.py": text})

    async def scenario() -> None:
        async with server(root, encodings) as session:
            assert session.position_encoding == negotiated
            uri = session.open("app.py")
            [diagnostic] = (await session.diagnostics(uri)).diagnostics
            assert diagnostic.range.start.character == start
            assert diagnostic.range.end.character == start + len("context.request_id")

    asyncio.run(scenario())


def test_server_without_pygls_explains_how_to_install_it(tmp_path: Path) -> None:
    blocker = textwrap.dedent(
        """
        import sys

        class Block:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in ("pygls", "lsprotocol"):
                    raise ImportError(f"No module named {name!r}", name=name)
                return None

        sys.meta_path.insert(0, Block())
        from lambda_lint.cli import main
        main(["server"])
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", blocker], capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    assert result.returncode == 2
    assert "pip install 'lambda-lint[lsp]'" in result.stderr


def fresh_check(root: Path, path: Path, text: str) -> list[tuple[str, int, int, str]]:
    """The findings of a fresh run without the cache over `text` as the content of
    `path`, as (code, 0-based line, column, message)."""
    from lambda_lint.api import Linter
    from lambda_lint.check_run import load_run

    settings, ruleset = load_run([root], None)
    enabled = ruleset.select(settings.select, settings.extend_select, settings.ignore)
    linter = Linter(settings, ruleset, enabled, root, cache=None, jobs=1)
    result = linter.lint([path], {path: text})
    return sorted((f.code, f.start.line - 1, f.start.column, f.message) for f in result.findings)


def test_each_edit_is_diagnosed_as_a_fresh_check_would(tmp_path: Path) -> None:
    """Edits to a handler module of a project whose other files the server has read:
    after each, the diagnostics equal what a fresh run over the same text finds."""
    root = tmp_path / "app"
    shutil.copytree(Path(__file__).resolve().parents[1] / "fixtures" / "serverless-app", root)
    api = root / "handlers" / "api.py"
    original = api.read_text(encoding="utf-8")
    edits = [
        original.replace('["headers"]["Content-Type"]', '["headers"]["content-type"]'),
        "import lib.store as extra\n" + original,
        original.replace("def put_item(event, context):", "def put_item(event, context, x=1):"),
        original + "\n\ndef purge(event, context):\n    extra.items.delete()\n",
    ]

    def shown(published: types.PublishDiagnosticsParams) -> list[tuple[str, int, int, str]]:
        return sorted(
            (str(d.code), d.range.start.line, d.range.start.character, d.message)
            for d in published.diagnostics
        )

    async def scenario() -> None:
        async with server(root) as session:
            uri = session.open("handlers/api.py")
            first = await session.diagnostics(uri)
            assert shown(first) == fresh_check(root, api, original) != []
            for text in edits:
                version = session.change(uri, text)
                published = await session.diagnostics(uri, lambda p, v=version: p.version == v)
                assert shown(published) == fresh_check(root, api, text)

    asyncio.run(scenario())


def _age(root: Path) -> None:
    """Date every file and folder under `root` an hour back, as a tree the user has not
    touched lately (the server keeps only a listing of such a tree between runs)."""
    past = time.time() - 3600
    for path in (root, *root.rglob("*")):
        os.utime(path, (past, past))


def test_files_created_or_deleted_while_the_server_runs_are_seen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server keeps what the project walk found between runs; a module created,
    deleted or ignored meanwhile (no watcher told it) is seen on the next run, as a fresh
    check sees it: here whether another module calls the handler module's function
    decides an LL202 finding."""
    from lambda_lint import lsp

    monkeypatch.setenv("LAMBDA_LINT_CACHE_DIR", str(tmp_path / "cache"))
    root = project(
        tmp_path / "app",
        {
            "template.yaml": TEMPLATE,
            "app.py": RARE_IMPORT,
            ".gitignore": "*.log\n",
        },
    )
    app = root / "app.py"
    _age(root)
    configurations = lsp.Configurations()

    def shown() -> list[tuple[str, int, int, str]]:
        snapshot = lsp.Snapshot(app.as_uri(), 1, RARE_IMPORT)
        outcome = lsp.lint_documents(configurations, root, {app: snapshot})
        return sorted(
            (f.code, f.start.line - 1, f.start.column, f.message)
            for f in outcome.findings.get(app, [])
        )

    alone = shown()
    assert [code for code, *_ in alone] == ["LL202"]
    assert root in lsp._listings[root][1], "the listing of an untouched tree is kept"
    assert shown() == alone

    (root / "tools.py").write_text("from app import plot_debug\n\nplot_debug([1])\n")
    assert shown() == fresh_check(root, app, RARE_IMPORT) == []

    _age(root)
    shown()
    folder = root.stat()
    (root / ".gitignore").write_text("*.log\ntools.py\n")
    # an edit in place: the folder's own stamp stays as it was
    os.utime(root, ns=(folder.st_atime_ns, folder.st_mtime_ns))
    assert shown() == fresh_check(root, app, RARE_IMPORT) == alone

    (root / ".gitignore").write_text("*.log\n")
    _age(root)
    assert shown() == []
    (root / "tools.py").unlink()
    assert shown() == fresh_check(root, app, RARE_IMPORT) == alone


def test_a_module_changed_on_disk_while_the_server_runs_is_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server keeps the project's files as read between runs; a module that is not
    open but changes on disk (a checkout, another editor) is read again, even when its
    size and modification time stay as they were."""
    from lambda_lint import lsp

    monkeypatch.setenv("LAMBDA_LINT_CACHE_DIR", str(tmp_path / "cache"))
    calling = "from app import plot_debug\n\nplot_debug([1])\n"
    root = project(
        tmp_path / "app", {"template.yaml": TEMPLATE, "app.py": RARE_IMPORT, "tools.py": calling}
    )
    app, tools = root / "app.py", root / "tools.py"
    _age(root)  # files changed just now are read on every run anyway
    configurations = lsp.Configurations()

    def shown() -> list[str]:
        snapshot = lsp.Snapshot(app.as_uri(), 1, RARE_IMPORT)
        outcome = lsp.lint_documents(configurations, root, {app: snapshot})
        return [f.code for f in outcome.findings.get(app, [])]

    assert shown() == shown() == []
    before = tools.stat()
    quiet = "import sys\n"
    tools.write_text(quiet + "#" * (len(calling) - len(quiet) - 1) + "\n")
    os.utime(tools, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert tools.stat().st_size == before.st_size
    assert shown() == ["LL202"]


def test_under_watched_folders_a_file_is_read_again_once_its_change_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the client watches files, the server keeps what it read of them until the
    client reports a change (a file, or a folder it deleted); a file elsewhere is still
    read again when its stamp changes."""
    from lambda_lint import lsp

    monkeypatch.setenv("LAMBDA_LINT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(lsp, "_sources", {})
    monkeypatch.setattr(lsp, "_reported", [])
    calling = "from app import plot_debug\n\nplot_debug([1])\n"
    root = project(
        tmp_path / "app",
        {
            "template.yaml": TEMPLATE,
            "app.py": RARE_IMPORT,
            "watched/tools.py": "",
            "elsewhere/tools.py": calling,
        },
    )
    app, watched, elsewhere = (
        root / "app.py",
        root / "watched/tools.py",
        root / "elsewhere/tools.py",
    )
    _age(root)
    lsp.report_changes_under([root / "watched"])
    configurations = lsp.Configurations()

    def shown() -> list[str]:
        snapshot = lsp.Snapshot(app.as_uri(), 1, RARE_IMPORT)
        outcome = lsp.lint_documents(configurations, root, {app: snapshot})
        return [f.code for f in outcome.findings.get(app, [])]

    def fresh() -> list[str]:
        return [code for code, *_ in fresh_check(root, app, RARE_IMPORT)]

    assert shown() == []
    elsewhere.write_text("import sys\n")  # no report: its stamp tells
    _age(root)
    assert shown() == fresh() == ["LL202"]

    watched.write_text(calling)
    _age(root)
    lsp.forget_files([watched])
    assert shown() == fresh() == []

    watched.write_text("import sys\n")
    _age(root)
    lsp.forget_files([watched.parent])  # the folder is reported (deleted and made again)
    assert shown() == fresh() == ["LL202"]


def test_the_server_reads_a_file_again_when_the_client_reports_its_change(
    tmp_path: Path,
) -> None:
    """A client that watches files (VS Code) takes the server's watchers and reports
    changes on disk: a module another tool rewrote is read again, and the findings of
    the open documents follow."""
    calling = "from app import plot_debug\n\nplot_debug([1])\n"
    root = project(
        tmp_path, {"template.yaml": TEMPLATE, "app.py": RARE_IMPORT, "tools.py": calling}
    )
    _age(root)

    async def scenario() -> None:
        async with server(root, watch=True) as session:
            uri = session.open("app.py")
            assert (await session.diagnostics(uri)).diagnostics == ()
            await asyncio.wait_for(session.registered.wait(), TIMEOUT)
            session.change(uri, RARE_IMPORT + "\n")
            assert (await session.diagnostics(uri)).diagnostics == ()

            (root / "tools.py").write_text("import sys\n", encoding="utf-8")
            _age(root)
            session.client.workspace_did_change_watched_files(
                types.DidChangeWatchedFilesParams(
                    changes=[
                        types.FileEvent(
                            uri=session.uri("tools.py"), type=types.FileChangeType.Changed
                        )
                    ]
                )
            )
            published = await session.diagnostics(uri)
            assert [d.code for d in published.diagnostics] == ["LL202"]

    asyncio.run(scenario())
