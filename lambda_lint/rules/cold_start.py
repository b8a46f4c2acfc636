"""LL2, cold start: what a handler's INIT phase costs, and work it should not do.

Import costs come from the measured table `lambda_lint/coldstart/import_costs.json`
(docs/import-costs.md); `[tool.lambda-lint.cold-start]` sets the budget, the threshold of
a heavy module and extra or corrected costs. Since August 2025 Lambda bills INIT like
the handler's own time, and every cold start waits for it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Union

import libcst as cst

from lambda_lint.coldstart.costs import is_stdlib, prefixes, side_effect_modules
from lambda_lint.coldstart.estimate import ColdStartModel, ExternalImport, cold_start_model
from lambda_lint.coldstart.options import BUDGET, COSTS, HEAVY, TABLE, budget_verdict
from lambda_lint.coldstart.usage import ModuleUses, Use, type_comment_names
from lambda_lint.finding import Finding, Position, RelatedLocation
from lambda_lint.model.constructors import client_constructor
from lambda_lint.model.names import dotted_name, string_value
from lambda_lint.model.project import Handler, Phase, ProjectModel
from lambda_lint.project_context import handler_unit
from lambda_lint.rule import Example, ProjectRule, Rule
from lambda_lint.walk import children

if TYPE_CHECKING:
    from lambda_lint.check_context import CheckContext

#: a comment saying an import is unused on purpose (flake8/Ruff F401, pylint)
KEPT_ON_PURPOSE = re.compile(
    r"#\s*(noqa(?!\s*:)|noqa\s*:[^#]*F401|pylint:\s*disable=[^#]*unused-import)"
)


#: below this, an import's cost is lost in the noise of INIT: LL201 and LL204 leave it to
#: general linters
NOTICEABLE_MS = 10.0


def _ms(value: float) -> str:
    return f"{value:,.0f} ms"


ImportStatement = Union[cst.Import, cst.ImportFrom]


def _init_import_statements(node: cst.CSTNode) -> Iterator[ImportStatement]:
    """The import statements under `node` that run when the module is imported, in
    source order: not in a function, a class or a `__main__` block (statements only: an
    import is never inside an expression)."""
    if isinstance(node, (cst.Import, cst.ImportFrom)):
        yield node
    elif isinstance(node, cst.If) and _is_main_guard(node):
        if node.orelse is not None:
            yield from _init_import_statements(node.orelse)
    elif not isinstance(node, _NO_INIT_IMPORTS):
        for child in children(node):
            yield from _init_import_statements(child)


#: what holds no import that runs at INIT
_NO_INIT_IMPORTS = (cst.FunctionDef, cst.ClassDef, cst.BaseExpression, cst.BaseSmallStatement)


def _is_main_guard(node: cst.If) -> bool:
    """Whether an `if` tests `__name__ == "__main__"`."""
    test = node.test
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return False
    sides = {dotted_name(test.left), *(string_value(c.comparator) for c in test.comparisons)}
    return {"__name__", "__main__"} <= sides


@dataclass
class ImportGroup:
    """Module-scope imports judged together: one `import a` alias, or one whole
    `from a import b, c` statement (its module goes only when every name goes)."""

    statement: ImportStatement
    aliases: list[cst.ImportAlias]
    imports: list[ExternalImport]
    #: the names the statement binds in the module
    bound: list[str]

    @property
    def module(self) -> str:
        first = self.imports[0]
        if isinstance(self.statement, cst.ImportFrom):
            return dotted_name(self.statement.module) or first.module  # type: ignore[arg-type]
        return first.module


class _InitImports(Rule):
    """Shared by the rules that judge the module-scope imports of INIT modules."""

    reached_code_only = True

    def visit_Module(self, node: cst.Module) -> None:
        path = self.context.path
        model = self.context.model
        if model.phase(None, path) is not Phase.INIT:
            return
        costs = cold_start_model(model)
        external = costs.external_imports(path)
        if not external:
            return
        statements = list(_init_import_statements(node))
        groups = list(self._groups(statements, self._matched(statements, external)))
        if groups:
            self.judge(node, costs, model.modules[path].uses, groups)

    def _matched(
        self, statements: list[ImportStatement], external: list[ExternalImport]
    ) -> dict[cst.ImportAlias, ExternalImport]:
        """The import of the model each alias of the module's imports is. Both list a
        module's imports in order: the aliases naming one module are paired in turn
        with the imports of that module, and by position (which costs an `ast` parse
        of the file) only where their numbers differ (an import the model leaves out,
        such as one under `if TYPE_CHECKING:`)."""
        aliases: dict[str, list[cst.ImportAlias]] = {}
        for statement in statements:
            if not isinstance(statement.names, cst.ImportStar):
                for alias in statement.names:
                    aliases.setdefault(_imported(alias, statement), []).append(alias)
        items: dict[str, list[ExternalImport]] = {}
        for item in external:
            items.setdefault(item.module, []).append(item)
        matched: dict[cst.ImportAlias, ExternalImport] = {}
        for module, named in aliases.items():
            found = items.get(module, [])
            if len(found) == len(named):
                matched.update(zip(named, found))
            elif found:
                by_place = {(item.line, item.column): item for item in found}
                for alias in named:
                    start = self.context.positions.start(alias)
                    if (start.line, start.column) in by_place:
                        matched[alias] = by_place[start.line, start.column]
        return matched

    def _groups(
        self, statements: list[ImportStatement], external: dict[cst.ImportAlias, ExternalImport]
    ) -> Iterator[ImportGroup]:
        for statement in statements:
            if isinstance(statement.names, cst.ImportStar):
                continue
            found = [
                (alias, external[alias], _bound_name(alias, statement))
                for alias in statement.names
                if alias in external
            ]
            if not found:
                continue
            if isinstance(statement, cst.ImportFrom):
                if len(found) == len(statement.names):
                    yield ImportGroup(
                        statement,
                        [a for a, _, _ in found],
                        [i for _, i, _ in found],
                        [b for *_, b in found],
                    )
            else:
                for alias, item, bound in found:
                    yield ImportGroup(statement, [alias], [item], [bound])

    def judge(
        self,
        module: cst.Module,
        costs: ColdStartModel,
        uses: ModuleUses,
        groups: list[ImportGroup],
    ) -> None:
        raise NotImplementedError

    def _ignored(self, group: ImportGroup, costs: ColdStartModel) -> bool:
        """Imports these rules leave alone: optional ones (`try: ... except
        ImportError`), the standard library, modules imported for their side effects,
        and modules the cost table does not know (a third-party library cannot be told
        from a first-party module deployed in a layer)."""
        for item in group.imports:
            if item.optional or is_stdlib(item.module):
                return True
            if any(p in side_effect_modules() for p in prefixes(item.module)):
                return True
            if costs.table.unit(item.unit).source not in ("table", "config"):
                return True
        return any(name == "_" for name in group.bound)

    def _reexported(self, costs: ColdStartModel, names: list[str]) -> bool:
        """Another project module imports one of `names` from this one (or `*`)."""
        imported = costs.model.names_imported_from(self.context.path)
        return "*" in imported or any(name in imported for name in names)


def _imported(alias: cst.ImportAlias, statement: ImportStatement) -> str:
    """The module an alias imports, as `ExternalImport.module` names it (`a.b` for
    `import a.b` and for `from a import b`); a relative import's starts with a dot."""
    name = dotted_name(alias.name) or ""
    if isinstance(statement, cst.Import):
        return name
    if statement.relative:
        return "."
    return f"{dotted_name(statement.module) if statement.module else ''}.{name}"


def _bound_name(alias: cst.ImportAlias, statement: ImportStatement) -> str:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    name = dotted_name(alias.name) or ""
    return name.split(".")[0] if isinstance(statement, cst.Import) else name


def _saving_text(saving: float, handler_name: str, handlers: int) -> str:
    others = (
        f" (and {handlers - 1} other handler{'s' if handlers > 2 else ''})" if handlers > 1 else ""
    )
    return f"≈ {_ms(saving)} of every cold start of `{handler_name}`{others}"


class UnusedInitImport(_InitImports):
    """
    ## What it does
    Reports a module outside the standard library that INIT code imports (module scope
    of a handler's module, or of a module it imports at module scope) and that the
    importing module never uses. The message gives what removing the import saves,
    from the measured import-cost table.

    Not reported, because the import is not unused in the sense that matters here:
    - a name used anywhere in the module, annotations included (under `from __future__
      import annotations` an annotation-only import still documents the types, and
      belongs under `if TYPE_CHECKING:` rather than nowhere);
    - a name listed in `__all__`, imported from this module by another project module,
      or any import of a package's `__init__.py` (a re-export);
    - a module another INIT import brings in anyway (removing the line saves nothing:
      `from aws_xray_sdk.core import xray_recorder` beside `patch_all()`);
    - modules imported for their side effects (`unzip_requirements`, `ddtrace.auto`,
      plugins that register themselves: the list ships with its sources), imports in
      `try: ... except ImportError:` and imports aliased to `_` or marked `# noqa:
      F401`;
    - modules the cost table does not know: a third-party library cannot be told from
      a first-party module deployed in a layer, whose import may be for its effect.

    Standard-library imports, and imports whose removal would save less than 10 ms,
    are left to general linters (Ruff's F401): they cost little, and many
    standard-library modules are loaded before the handler's module anyway.

    ## Why is this bad?
    Every cold start runs the import, and since August 2025 Lambda bills INIT like the
    handler. An unused `import pandas` adds about half a second to every new execution
    environment and delivers nothing.

    ## Example
    ```python
    import boto3
    import pandas as pd

    s3 = boto3.client("s3")


    def handler(event, context):
        s3.put_object(Bucket="reports", Key=event["key"], Body=b"ok")
    ```

    ## Use instead
    ```python
    import boto3

    s3 = boto3.client("s3")


    def handler(event, context):
        s3.put_object(Bucket="reports", Key=event["key"], Body=b"ok")
    ```
    """

    code = "LL201"
    name = "unused-init-import"
    summary = "Module imported at INIT and never used"
    severity = "warning"
    options = (COSTS,)
    options_table = TABLE
    VALID = [
        Example(
            "import pandas as pd\n\ndef handler(event, context):\n    return pd.DataFrame(event)\n"
        ),
        Example(
            "from __future__ import annotations\n\nimport pandas as pd\n\n"
            "def handler(event, context) -> pd.DataFrame:\n    return event\n"
        ),
        Example(
            "import pandas as pd\n\n__all__ = ['pd']\n\ndef handler(event, context):\n    return 1\n"
        ),
        Example(
            "import boto3\nfrom boto3.dynamodb.conditions import Key\n\n"
            "table = boto3.resource('dynamodb').Table('t')\n\n"
            "def handler(event, context):\n    return table.scan()\n"
        ),
        Example(
            "try:\n    import unzip_requirements\nexcept ImportError:\n    pass\n\ndef handler(event, context):\n    return 1\n"
        ),
        Example("import ddtrace.auto\n\ndef handler(event, context):\n    return 1\n"),
        Example("import json\n\ndef handler(event, context):\n    return 1\n"),
        Example("import pandas  # noqa: F401\n\ndef handler(event, context):\n    return 1\n"),
        Example("import mycompany_sdk\n\ndef handler(event, context):\n    return 1\n"),
        Example(
            "import numpy as np\nfrom numpy import zeros\n\n"
            "def handler(event, context):\n    return zeros(2)\n"
        ),
        Example(
            "import pandas as pd\n\n"
            "def handler(event, context) -> 'pd.DataFrame':\n    return event\n"
        ),
        Example(
            "import pandas as pd\n\ndef handler(event, context):\n    return f'{pd.__version__}'\n"
        ),
    ]
    INVALID = [
        Example(
            "import pandas as pd\n\ndef handler(event, context):\n    return 1\n",
            at="pandas as pd",
            message="pandas",
        ),
        Example(
            "import pandas as pd\n\n"
            "def handler(event, context):\n    return dict(pd=event.pd, text='pd')\n",
            at="pandas as pd",
        ),
        Example(
            "from sklearn.linear_model import LinearRegression, Ridge\n\n"
            "def handler(event, context):\n    return 1\n",
            at="LinearRegression",
        ),
        Example(
            "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    import pandas\n\n"
            "import pandas as pd\n\ndef handler(event, context):\n    return 1\n",
            at="pandas as pd",
        ),
        Example(
            "import helpers\n\ndef handler(event, context):\n    return helpers.VALUE\n",
            files={"helpers.py": "import requests\n\nVALUE = 1\n"},
        ),
        Example(
            "import mycompany_sdk\n\ndef handler(event, context):\n    return 1\n",
            config={"cold-start": {"costs": {"mycompany_sdk": 250}}},
            message="250 ms",
        ),
    ]

    def judge(
        self,
        module: cst.Module,
        costs: ColdStartModel,
        uses: ModuleUses,
        groups: list[ImportGroup],
    ) -> None:
        path = self.context.path
        if path.name == "__init__.py" or uses.dynamic:
            return
        code: str | None = None
        type_names: set[str] | None = None
        for group in groups:
            if self._ignored(group, costs):
                continue
            if any(name in uses.uses or name in uses.exported for name in group.bound):
                continue
            if code is None:
                code = self.context.text
                type_names = type_comment_names(code)
            if any(name in (type_names or ()) for name in group.bound):
                continue
            if self._reexported(costs, group.bound):
                continue
            saving, handler = costs.best_saving(path, group.imports)
            if handler is None or saving < NOTICEABLE_MS:
                continue
            # last: finding where the statement starts costs more than the tests above
            line = self.context.positions.start(group.statement).line
            if KEPT_ON_PURPOSE.search(code.splitlines()[line - 1]):
                continue
            handlers = len(costs.handlers_loading(path))
            if group.bound == [group.module]:
                unused = "and never used in this module"
            else:
                names = ", ".join(f"`{name}`" for name in group.bound)
                verb = "is" if len(group.bound) == 1 else "are"
                unused = f"but {names} {verb} never used in this module"
            self.report(
                group.aliases[0],
                f"`{group.module}` is imported at INIT {unused}: removing the import saves "
                f"{_saving_text(saving, handler.qualname, handlers)}",
            )


class HeavyImportRarePath(_InitImports):
    """
    ## What it does
    Reports a heavy module (what its import adds to INIT is at least `heavy-ms`,
    100 ms by default) imported at module scope of INIT code but used only where a
    request rarely or never goes: in `except` blocks, under `if __name__ ==
    "__main__":`, or in module-level functions that no handler calls (a debug helper,
    a local script's entry point).

    Only functions the project model can vouch for count as unreached: a function no
    handler or INIT code calls, that the module does not refer to anywhere else (no
    callback, no registry entry), that no other module imports, and that no decorator
    registers. Methods are never judged unreached.

    ## Why is this bad?
    Every cold start pays for the import, but almost no invocation needs the module.
    Imported inside the function or the `except` block, it costs only the invocations
    that need it (once per execution environment: Python keeps it in `sys.modules`).

    ## Example
    ```python
    import matplotlib.pyplot as plt
    import pandas as pd


    def handler(event, context):
        return pd.DataFrame(event["rows"]).sum().to_dict()


    def plot_debug(frame):
        plt.plot(frame)
        plt.savefig("/tmp/debug.png")
    ```

    ## Use instead
    ```python
    import pandas as pd


    def handler(event, context):
        return pd.DataFrame(event["rows"]).sum().to_dict()


    def plot_debug(frame):
        import matplotlib.pyplot as plt

        plt.plot(frame)
        plt.savefig("/tmp/debug.png")
    ```
    """

    code = "LL202"
    name = "heavy-import-rare-path"
    summary = "Heavy module imported at INIT but used only on a rare path"
    severity = "warning"
    options = (HEAVY, COSTS)
    options_table = TABLE
    VALID = [
        Example(
            "import matplotlib.pyplot as plt\n\ndef handler(event, context):\n    return draw(event)\n\n"
            "def draw(event):\n    return plt.plot(event['x'])\n"
        ),
        Example(
            "import matplotlib.pyplot as plt\n\ndef handler(event, context):\n    return RENDERERS['png'](event)\n\n"
            "def draw(event):\n    return plt.plot(event['x'])\n\nRENDERERS = {'png': draw}\n"
        ),
        Example(
            "import yaml\n\ndef handler(event, context):\n    try:\n        return 1\n"
            "    except ValueError:\n        return yaml.safe_dump(event)\n"
        ),
        Example(
            "import pandas as pd\n\ndef handler(event, context):\n    try:\n        return 1\n"
            "    except ValueError:\n        return pd.DataFrame()\n",
            config={"cold-start": {"heavy-ms": 1000}},
        ),
        Example(
            "import twilio.rest\n\ndef handler(event, context):\n    return 1\n\n"
            "class Alerts:\n    def send(self):\n        return twilio.rest.Client()\n"
        ),
    ]
    INVALID = [
        Example(
            "import matplotlib.pyplot as plt\n\ndef handler(event, context):\n    return 1\n\n"
            "def plot_debug(frame):\n    plt.plot(frame)\n",
            at="matplotlib.pyplot as plt",
            message="plot_debug",
        ),
        Example(
            "from twilio.rest import Client\n\ndef handler(event, context):\n    try:\n        return 1\n"
            "    except ValueError:\n        Client().messages.create(body='failed')\n        raise\n",
            at="Client",
            message="except",
        ),
        Example(
            "import pandas as pd\n\ndef handler(event, context):\n    return 1\n\n"
            "if __name__ == '__main__':\n    print(pd.DataFrame())\n",
            message="__main__",
        ),
    ]

    def judge(
        self,
        module: cst.Module,
        costs: ColdStartModel,
        uses: ModuleUses,
        groups: list[ImportGroup],
    ) -> None:
        heavy = self.settings["heavy-ms"]
        for group in groups:
            if self._ignored(group, costs):
                continue
            found = [use for name in group.bound for use in uses.uses.get(name, [])]
            if not found:
                continue  # unused: LL201's
            places = self._rare_places(found, uses, costs)
            if places is None:
                continue
            saving, handler = costs.best_saving(self.context.path, group.imports)
            if handler is None or saving < heavy:
                continue
            self.report(
                group.aliases[0],
                f"`{group.module}` costs {_saving_text(saving, handler.qualname, 1)} but is "
                f"used only {' and '.join(places)}: import it where it is needed",
            )

    def _rare_places(
        self, found: list[Use], uses: ModuleUses, costs: ColdStartModel
    ) -> list[str] | None:
        """How every use is on a rare path (None when one is not)."""
        places: dict[str, None] = {}
        for use in found:
            if use.in_annotation:
                return None
            if use.in_main_guard:
                places["under `if __name__ == '__main__'`"] = None
            elif use.in_except:
                places["in `except` blocks"] = None
            elif use.function is not None and self._unreached(use.function, uses, costs):
                places[f"in `{use.function}()`, which no handler calls"] = None
            else:
                return None
        return list(places)

    def _unreached(self, qualname: str, uses: ModuleUses, costs: ColdStartModel) -> bool:
        path = self.context.path
        model = costs.model
        function = model.function((path, qualname))
        if function is None or function.class_name or function.decorators:
            return False
        if model.phase((path, qualname), path) is not Phase.UNKNOWN:
            return False
        for use in uses.uses.get(function.name, []):
            if use.function != qualname and not use.in_main_guard:
                return False  # referred to: a callback, a registry, a call we cannot see
        return not self._reexported(costs, [function.name])


class InitImportBudget(ProjectRule):
    """
    ## What it does
    Reports a handler whose estimated INIT import cost — its module and every module
    imported at module scope from there, transitively, each package counted once —
    exceeds `budget-ms` (1,000 ms by default) by more than the estimate's margin of
    error, 25%: combined figures from the table run up to that much above what `python
    -X importtime` measures for the same imports (shared modules outside the table are
    counted twice), so a handler just over the budget is not reported on the strength of
    a rough estimate (`lambda-lint coldstart` shows it as near the budget). The message
    names the biggest contributors (up to three, each at least 10 ms) with the import
    chain that brings each in; `lambda-lint coldstart` shows the whole tree. The views
    of a Chalice app all run in the one function Chalice deploys for the REST API, so
    they are reported once, at the first. Handlers invoked so rarely that nobody waits
    on their INIT (custom resources, secret rotation, pipeline actions, runbook steps,
    hourly or rarer schedules; see LL301) are not judged.

    The estimate comes from the measured import-cost table (see
    docs/import-costs.md): figures of a 2-vCPU machine. Lambda gives a function one vCPU
    at 1,769 MB and a fraction of one below, so a small function takes several times
    longer; set the budget with the memory size in mind, and add your own figures under
    `costs`. `lambda-lint coldstart --measure` times the imports in your environment.

    ## Why is this bad?
    INIT runs before the first request of every new execution environment: scaling up,
    after a deployment, after an idle period. Users wait for it, and since August 2025
    Lambda bills it. INIT is also limited to 10 seconds.

    ## Example
    ```python
    import pandas as pd
    from sklearn.linear_model import LinearRegression


    def handler(event, context):
        frame = pd.DataFrame(event["rows"])
        return LinearRegression().fit(frame[["x"]], frame["y"]).coef_.tolist()
    ```

    ## Use instead
    Lighter dependencies (NumPy alone fits a line), a container image with SnapStart or
    provisioned concurrency for heavy stacks, or imports moved to the code paths that
    need them.
    """

    code = "LL203"
    name = "init-import-budget"
    summary = "Estimated INIT import cost over the budget"
    severity = "warning"
    options = (BUDGET, COSTS)
    options_table = TABLE
    VALID = [
        Example("import boto3\n\ndef handler(event, context):\n    return boto3.client('s3')\n"),
        Example(
            "import pandas as pd\nimport sklearn\n\ndef handler(event, context):\n    return 1\n",
            config={"cold-start": {"budget-ms": 5000}},
        ),
        Example(
            "def handler(event, context):\n    import pandas\n    import sklearn\n    return 1\n"
        ),
        # a custom resource runs a few times per stack: nobody waits on its INIT
        Example(
            "import pandas as pd\nimport sklearn\n\ndef handler(event, context):\n    return 1\n",
            trigger="cloudformation-custom-resource",
        ),
    ]
    INVALID = [
        Example(
            "import pandas as pd\nfrom sklearn.linear_model import LinearRegression\n\n"
            "def handler(event, context):\n    return 1\n",
            at="handler",
            message="sklearn",
        ),
        Example(
            "import model\n\ndef handler(event, context):\n    return model.predict(event)\n",
            files={"model.py": "import torch\n\ndef predict(event):\n    return torch.tensor(1)\n"},
            message="app -> model -> torch",
        ),
        Example(
            "import boto3\n\ndef handler(event, context):\n    return 1\n",
            config={"cold-start": {"budget-ms": 100}},
            message="boto3",
        ),
        Example(
            "import pandas as pd\nimport sklearn\nfrom chalice import Chalice\n\n"
            "app = Chalice(app_name='reports')\n\n"
            "@app.route('/reports')\ndef list_reports():\n    return []\n\n"
            "@app.route('/reports/{name}')\ndef get_report(name):\n    return {}\n",
            at="list_reports",
            message="the Chalice app's views (`list_reports` and 1 more)",
        ),
    ]

    def check_project(self) -> None:
        budget = self.settings["budget-ms"]
        model = self.project.model
        costs = cold_start_model(model)
        stored = self.project.stored_results
        handlers = sorted(model.handlers.values(), key=lambda h: (str(h.file), h.line))
        views: dict[Path, list[Handler]] = {}
        for handler in handlers:
            if handler.chalice_view:
                views.setdefault(handler.file, []).append(handler)
        for handler in handlers:
            shared = views[handler.file] if handler.chalice_view else []
            if shared and shared[0] is not handler:
                continue  # the app's one function is reported at its first view
            if handler.rarely_invoked:
                continue  # nobody waits on its INIT
            unit = handler_unit(handler)
            cached = stored.get(self.code, unit, list[Finding]) if stored is not None else None
            if cached is not None:
                self.project.findings.extend((handler.file, f) for f in cached)
                continue
            before = len(self.project.findings)
            self.check_handler(handler, costs, budget, shared)
            if stored is not None:
                found = [f for _, f in self.project.findings[before:]]
                files = [handler.file, *costs.handler_imports(handler).files]
                stored.put(self.code, unit, found, list[Finding], files)

    def check_handler(
        self, handler: Handler, costs: ColdStartModel, budget: float, views: list[Handler]
    ) -> None:
        """Report the handler if its INIT imports are over the budget (for a Chalice
        app's first view, on behalf of all its `views`)."""
        total = costs.total_ms(handler)
        if budget_verdict(total, budget) != "over":
            return
        top = [
            c
            for c in costs.contributors(costs.tree(handler))[:3]
            if c.node.total_ms >= NOTICEABLE_MS
        ]
        listed = "; ".join(f"{c.node.name} ≈ {_ms(c.node.total_ms)} ({c.chain_text})" for c in top)
        related = tuple(
            RelatedLocation(
                self.project.display(c.node.imported_at[0]),
                Position(c.node.imported_at[1], 0),
                f"imports {c.node.name} (≈ {_ms(c.node.total_ms)})",
            )
            for c in top
            if c.node.imported_at is not None
        )
        what = f"`{handler.qualname}`"
        if len(views) > 1:
            what = f"the Chalice app's views (`{handler.qualname}` and {len(views) - 1} more)"
        self.report_handler(
            handler,
            f"INIT imports of {what} cost an estimated {_ms(total)}, over the "
            f"{_ms(budget)} budget; heaviest: {listed}",
            related=related,
        )


def _in_rare_block(ancestors: list[cst.CSTNode]) -> bool:
    """Inside an `except` block, or a `try` whose `except` catches ImportError."""
    for node in ancestors:
        if isinstance(node, cst.ExceptHandler):
            return True
        if isinstance(node, cst.Try) and any(
            dotted_name(h.type) in ("ImportError", "ModuleNotFoundError") for h in node.handlers
        ):
            return True
    return False


def _runs_at_import(ancestors: list[cst.CSTNode]) -> bool:
    """At module scope, not under `if __name__ == "__main__":` and not in a lambda."""
    for node in ancestors:
        if isinstance(node, (cst.FunctionDef, cst.Lambda)):
            return False
        if isinstance(node, cst.If) and _is_main_guard(node):
            return False
    return True


#: a SAM template declaring `app.handler` with SnapStart, for the examples
SNAPSTART_TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: .
      Handler: app.handler
      Runtime: python3.12
      SnapStart:
        ApplyOn: PublishedVersions
"""


class ImportInHandler(Rule):
    """
    ## What it does
    Reports an import statement in per-invocation code (the handler, or a function a
    handler calls) of a function with SnapStart (its descriptor says so), of a module
    that INIT has not loaded already: the import then runs on the first request each
    restored execution environment serves, instead of once before the snapshot. The
    message gives the estimated cost from the import-cost table.

    Not reported: imports inside `except` blocks or in `try: ... except ImportError:`
    (a rare path, where a deferred import is the right choice: see LL202), imports of
    project modules (often deferred on purpose, to break an import cycle), modules INIT
    loads anyway (the statement is then a dictionary lookup), and imports estimated
    under 10 ms. Nor is a function without SnapStart: its INIT runs on the first
    request's clock too, so moving the import there saves that request nothing (and
    for a rarely taken path, deferring it is right: see LL202). Provisioned
    concurrency is not read from descriptors yet, so its functions are not reported.

    ## Why is this bad?
    With SnapStart, INIT runs when a version is published and its memory is restored
    from a snapshot: its time is hidden from users. An import deferred to the handler
    is paid again by a user's request in every restored environment.

    ## Example
    ```python
    # SnapStart: ApplyOn: PublishedVersions
    def handler(event, context):
        import pandas as pd

        return pd.DataFrame(event["rows"]).to_dict()
    ```

    ## Use instead
    ```python
    import pandas as pd


    def handler(event, context):
        return pd.DataFrame(event["rows"]).to_dict()
    ```
    """

    reached_code_only = True

    code = "LL204"
    name = "import-in-handler"
    summary = "Import statement in per-invocation code"
    severity = "warning"
    default_enabled = False
    options = (COSTS,)
    options_table = TABLE
    _SNAPSTART = {"template.yaml": SNAPSTART_TEMPLATE}
    VALID = [
        Example(
            "import pandas as pd\n\ndef handler(event, context):\n    return pd.DataFrame()\n",
            files=_SNAPSTART,
        ),
        Example(
            "import pandas\n\ndef handler(event, context):\n    import pandas as pd\n"
            "    return pd.DataFrame()\n",
            files=_SNAPSTART,
        ),
        Example(
            "def handler(event, context):\n    try:\n        return 1\n    except ValueError:\n"
            "        import sentry_sdk\n        sentry_sdk.capture_exception()\n",
            files=_SNAPSTART,
        ),
        Example(
            "def handler(event, context):\n    from helpers import run\n    return run(event)\n",
            files={**_SNAPSTART, "helpers.py": "def run(event):\n    return event\n"},
        ),
        Example("def setup():\n    import pandas\n    return pandas\n", files=_SNAPSTART),
        # without SnapStart, INIT is on the first request's clock as well
        Example(
            "def handler(event, context):\n    import pandas as pd\n    return pd.DataFrame()\n"
        ),
    ]
    INVALID = [
        Example(
            "def handler(event, context):\n    import pandas as pd\n    return pd.DataFrame()\n",
            files=_SNAPSTART,
            at="pandas as pd",
            message="pandas",
        ),
        Example(
            "def handler(event, context):\n    return render(event)\n\ndef render(event):\n"
            "    from matplotlib import pyplot\n    return pyplot.plot(event['x'])\n",
            files=_SNAPSTART,
            at="pyplot",
        ),
        Example(
            "import boto3\n\ndef handler(event, context):\n    import requests\n"
            "    return requests.get(event['url'], timeout=5).text\n",
            files=_SNAPSTART,
        ),
    ]

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            self._check(alias, dotted_name(alias.name) or "")

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.relative or node.module is None or isinstance(node.names, cst.ImportStar):
            return
        module = dotted_name(node.module) or ""
        for alias in node.names:
            self._check(alias, f"{module}.{dotted_name(alias.name)}")

    def _check(self, alias: cst.ImportAlias, module: str) -> None:
        context = self.context
        if not context.functions or not context.in_invoke_code():
            return
        if _in_rare_block(context.ancestors):
            return
        model = context.model
        if model.resolver.resolve_module(module.split(".")[0], context.path) is not None:
            return  # a project module
        handler = context.serving_handler()
        if handler is None or not handler.snapstart:
            return
        costs = cold_start_model(model)
        unit = costs.table.entry(module).name
        loaded = costs.units(handler)
        if unit in costs.table.closure(loaded):
            return
        added = costs.table.cost([*loaded, unit]) - costs.table.cost(loaded)
        if added < NOTICEABLE_MS:
            return
        self.report(
            alias,
            f"`{unit}` is imported on `{handler.qualname}`'s request path, not at INIT "
            f"(SnapStart): the first request of each restored environment pays ≈ "
            f"{_ms(added)} — import it at module scope",
        )


#: calls that go over the network by themselves
NETWORK_CALLS = frozenset(
    {
        *(
            f"requests.{verb}"
            for verb in ("get", "post", "put", "patch", "delete", "head", "options", "request")
        ),
        *(
            f"httpx.{verb}"
            for verb in (
                "get",
                "post",
                "put",
                "patch",
                "delete",
                "head",
                "options",
                "request",
                "stream",
            )
        ),
        "urllib.request.urlopen",
        "urllib3.request",
        "socket.create_connection",
        # Powertools parameters: SSM, Secrets Manager, AppConfig
        *(
            f"aws_lambda_powertools.utilities.parameters.{name}"
            for name in (
                "get_parameter",
                "get_parameters",
                "get_parameters_by_name",
                "get_secret",
                "get_secrets_by_name",
                "get_app_config",
            )
        ),
    }
)
#: methods of an SDK client that do not call AWS
LOCAL_CLIENT_METHODS = frozenset(
    {
        "get_paginator",
        "get_waiter",
        "can_paginate",
        "close",
        "generate_presigned_url",
        "generate_presigned_post",
    }
)


class InitNetworkCall(Rule):
    """
    ## What it does
    Reports an AWS SDK call (a method of a `boto3` client) or an HTTP request
    (`requests`, `httpx`, `urllib`, Powertools parameters) at module scope of a module
    that a handler's module imports: work hidden in INIT, away from the handler.

    Calls at module scope of the handler's own module are not reported: loading
    configuration there, once per environment, is deliberate and visible. Building a
    client is not a call (`boto3.client(...)`, `resource.Table(...)` do not touch the
    network).

    ## Why is this bad?
    The call runs in every cold start, before the first request, on whatever handler
    imports the module — including those that never need its result. A transient error
    or a slow endpoint fails INIT (limited to 10 seconds), and Lambda retries the whole
    INIT on the next request.

    ## Example
    ```python
    # settings.py, imported by the handler's module
    import boto3

    ssm = boto3.client("ssm")
    API_KEY = ssm.get_parameter(Name="/shop/api-key", WithDecryption=True)["Parameter"]["Value"]
    ```

    ## Use instead
    ```python
    # settings.py
    import functools

    import boto3

    ssm = boto3.client("ssm")


    @functools.cache
    def api_key():
        return ssm.get_parameter(Name="/shop/api-key", WithDecryption=True)["Parameter"]["Value"]
    ```
    """

    reached_code_only = True

    code = "LL205"
    name = "init-network-call"
    summary = "SDK or HTTP call at module scope of an imported module"
    severity = "warning"
    default_enabled = False
    VALID = [
        Example(
            "import boto3\n\nssm = boto3.client('ssm')\nKEY = ssm.get_parameter(Name='k')\n\n"
            "def handler(event, context):\n    return KEY\n"
        ),
        Example(
            "import settings\n\ndef handler(event, context):\n    return settings.table.name\n",
            files={
                "settings.py": "import boto3\n\ntable = boto3.resource('dynamodb').Table('orders')\n"
                "s3 = boto3.client('s3')\nURL = s3.generate_presigned_url('get_object')\n"
            },
        ),
        Example(
            "import settings\n\ndef handler(event, context):\n    return settings.key()\n",
            files={
                "settings.py": "import boto3\n\nssm = boto3.client('ssm')\n\n"
                "def key():\n    return ssm.get_parameter(Name='k')\n\n"
                "if __name__ == '__main__':\n    print(ssm.get_parameter(Name='k'))\n"
            },
        ),
    ]
    INVALID = [
        Example(
            "import settings\n\ndef handler(event, context):\n    return settings.KEY\n",
            files={
                "settings.py": "import boto3\n\nssm = boto3.client('ssm')\n"
                "KEY = ssm.get_parameter(Name='k')['Parameter']['Value']\n"
            },
            message="ssm.get_parameter",
        ),
        Example(
            "import config\n\ndef handler(event, context):\n    return config.FLAGS\n",
            files={
                "config.py": "import requests\n\nFLAGS = requests.get('https://flags.example.com', timeout=2).json()\n"
            },
        ),
        Example(
            "from shared import limits\n\ndef handler(event, context):\n    return limits\n",
            files={
                "shared.py": "import boto3\n\n"
                "limits = boto3.client('lambda').get_account_settings()['AccountLimit']\n"
            },
        ),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        context = self.context
        if context.functions or not _runs_at_import(context.ancestors):
            return
        path = context.path
        model = context.model
        if model.phase(None, path) is not Phase.INIT:
            return
        if any(handler.file == path for handler in model.handlers.values()):
            return
        label = self._network_call(node)
        if label is not None:
            self.report(
                node,
                f"`{label}()` calls over the network while this module is imported: every cold "
                "start of the handlers that import it waits for it, and an error fails INIT — "
                "call it lazily, from the code that needs the result",
            )

    def _network_call(self, node: cst.Call) -> str | None:
        qualify = self.context.qualified_name
        name = qualify(node.func)
        if name in NETWORK_CALLS:
            return dotted_name(node.func) or name
        func = node.func
        if not isinstance(func, cst.Attribute) or func.attr.value in LOCAL_CLIENT_METHODS:
            return None
        receiver = func.value
        if _is_client(receiver, self.context):
            return f"{dotted_name(receiver) or 'client'}.{func.attr.value}"
        return None


def _is_client(receiver: cst.BaseExpression, context: CheckContext) -> bool:
    """A boto3 client: built right there, or a module-level name bound to one."""
    if isinstance(receiver, cst.Call):
        label = client_constructor(receiver, context.qualified_name)
        return label is not None and label.endswith(("boto3.client", "().client"))
    if isinstance(receiver, cst.Name):
        binding = context.module_binding(receiver.value)
        if binding is None or binding.kind != "assign" or len(binding.values) != 1:
            return False
        value = binding.values[0]
        return isinstance(value, cst.Call) and _is_client(value, context)
    return False


#: calls whose result must differ between execution environments ("Handling uniqueness
#: with Lambda SnapStart", https://docs.aws.amazon.com/lambda/latest/dg/snapstart-uniqueness.html:
#: unique IDs, secrets, entropy for pseudo-randomness, seeds)
UNIQUE_VALUE_CALLS = frozenset(
    {
        "uuid.uuid1",
        "uuid.uuid4",
        "os.urandom",
        "os.getrandom",
        "random.seed",
        "random.Random",
        *(
            f"random.{name}"
            for name in (
                "random",
                "randint",
                "randrange",
                "randbytes",
                "getrandbits",
                "choice",
                "choices",
                "sample",
                "shuffle",
                "uniform",
            )
        ),
        *(
            f"secrets.{name}"
            for name in (
                "token_bytes",
                "token_hex",
                "token_urlsafe",
                "choice",
                "randbelow",
                "randbits",
            )
        ),
        "time.time",
        "time.time_ns",
        "datetime.datetime.now",
        "datetime.datetime.utcnow",
        "datetime.datetime.today",
    }
)
#: the runtime hooks module: a module that uses it re-creates its values after restore
RESTORE_HOOKS = "snapshot_restore_py"


class SnapStartInitUniqueness(Rule):
    """
    ## What it does
    For handlers whose function has SnapStart enabled in a deployment descriptor (SAM
    `SnapStart: ApplyOn: PublishedVersions`, CDK, Terraform, Serverless), reports a value
    INIT code creates that must be unique per execution environment: `uuid.uuid4()`,
    `random` and `secrets` values and seeds, `os.urandom()`, and timestamps
    (`time.time()`, `datetime.now()`), at module scope of the handler's module or of a
    module it imports.

    A module that imports `snapshot_restore_py` (the runtime hooks) is left alone: it is
    expected to re-create such values in an `@register_after_restore` hook.

    ## Why is this bad?
    SnapStart runs INIT once, snapshots the memory, and resumes every new execution
    environment from that snapshot. A UUID made at INIT is the same in all of them, a
    random generator seeded there yields the same sequence everywhere, and a start time
    is the time the snapshot was taken.

    ## Example
    ```python
    import uuid

    INSTANCE_ID = uuid.uuid4().hex


    def handler(event, context):
        return {"instance": INSTANCE_ID}
    ```

    ## Use instead
    ```python
    import uuid

    from snapshot_restore_py import register_after_restore

    INSTANCE_ID = uuid.uuid4().hex


    @register_after_restore
    def new_instance_id():
        global INSTANCE_ID
        INSTANCE_ID = uuid.uuid4().hex
    ```
    """

    reached_code_only = True

    code = "LL206"
    name = "snapstart-init-uniqueness"
    summary = "Value that must be unique per environment created at INIT under SnapStart"
    default_enabled = False
    VALID = [
        Example(
            "import uuid\n\nRUN_ID = uuid.uuid4()\n\ndef handler(event, context):\n    return RUN_ID\n"
        ),
        Example(
            "import uuid\n\ndef handler(event, context):\n    return uuid.uuid4().hex\n",
            files={"template.yaml": SNAPSTART_TEMPLATE},
        ),
        Example(
            "import uuid\nfrom snapshot_restore_py import register_after_restore\n\n"
            "RUN_ID = uuid.uuid4()\n\n@register_after_restore\ndef renew():\n"
            "    global RUN_ID\n    RUN_ID = uuid.uuid4()\n\ndef handler(event, context):\n    return RUN_ID\n",
            files={"template.yaml": SNAPSTART_TEMPLATE},
        ),
    ]
    INVALID = [
        Example(
            "import uuid\n\nRUN_ID = uuid.uuid4().hex\n\ndef handler(event, context):\n    return RUN_ID\n",
            files={"template.yaml": SNAPSTART_TEMPLATE},
            at="uuid.uuid4()",
        ),
        Example(
            "import random\nimport time\n\nrandom.seed(time.time())\n\n"
            "def handler(event, context):\n    return random.random()\n",
            files={"template.yaml": SNAPSTART_TEMPLATE},
            count=2,
        ),
        Example(
            "import ids\n\ndef handler(event, context):\n    return ids.TOKEN\n",
            files={
                "template.yaml": SNAPSTART_TEMPLATE,
                "ids.py": "import secrets\n\nTOKEN = secrets.token_hex(16)\n",
            },
        ),
    ]

    def visit_Module(self, node: cst.Module) -> None:
        self._files = _snapstart_files(self.context.model)
        summary = self.context.model.modules.get(self.context.path)
        if summary and any(i.module.split(".")[0] == RESTORE_HOOKS for i in summary.imports):
            self._files = set()

    def visit_Call(self, node: cst.Call) -> None:
        context = self.context
        if context.path not in self._files or context.functions:
            return
        if not _runs_at_import(context.ancestors):
            return
        name = context.qualified_name(node.func)
        if name in UNIQUE_VALUE_CALLS:
            self.report(
                node,
                f"`{dotted_name(node.func)}()` runs at INIT of a SnapStart function: every "
                "execution environment resumed from the snapshot shares its value — create it "
                "in the handler, or again in an `@register_after_restore` hook",
            )


def _snapstart_files(model: ProjectModel) -> set[Path]:
    """Files whose module scope runs at INIT of a handler with SnapStart enabled."""

    def compute(model: ProjectModel) -> set[Path]:
        files: set[Path] = set()
        for key, handler in model.handlers.items():
            if handler.snapstart:
                files |= model.init_imports(key).files()
        return files

    return model.analysis("cold-start.snapstart-files", compute)
