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

import libcst as cst

from lambda_lint.coldstart.costs import is_stdlib, prefixes, side_effect_modules
from lambda_lint.coldstart.estimate import ColdStartModel, ExternalImport, cold_start_model
from lambda_lint.coldstart.options import BUDGET, COSTS, HEAVY, TABLE
from lambda_lint.coldstart.usage import ModuleUses, Use, module_uses, type_comment_names
from lambda_lint.finding import Position, RelatedLocation
from lambda_lint.model.constructors import CLIENT_METHODS, client_constructor
from lambda_lint.model.names import dotted_name
from lambda_lint.model.project import Phase
from lambda_lint.rule import Example, ProjectRule, Rule

#: a comment saying an import is unused on purpose (flake8/Ruff F401, pylint)
KEPT_ON_PURPOSE = re.compile(
    r"#\s*(noqa(?!\s*:)|noqa\s*:[^#]*F401|pylint:\s*disable=[^#]*unused-import)"
)


def _ms(value: float) -> str:
    return f"{value:,.0f} ms"


@dataclass
class ImportGroup:
    """Module-scope imports judged together: one `import a` alias, or one whole
    `from a import b, c` statement (its module goes only when every name goes)."""

    statement: cst.Import | cst.ImportFrom
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

    def visit_Module(self, node: cst.Module) -> None:
        path = self.context.path
        model = self.context.model
        if model.phase(None, path) is not Phase.INIT:
            return
        costs = cold_start_model(model)
        external = {(e.line, e.column): e for e in costs.external_imports(path)}
        if not external:
            return
        uses = module_uses(node)
        groups = list(self._groups(uses, external))
        if groups:
            self.judge(node, costs, uses, groups)

    def _groups(
        self, uses: ModuleUses, external: dict[tuple[int, int], ExternalImport]
    ) -> Iterator[ImportGroup]:
        start = self.context.positions.start
        for statement in uses.imports:
            if isinstance(statement.names, cst.ImportStar):
                continue
            found = []
            for alias in statement.names:
                position = start(alias)
                item = external.get((position.line, position.column))
                if item is not None:
                    found.append((alias, item, _bound_name(alias, statement)))
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
        path = self.context.path
        resolver = costs.model.resolver
        for other, summary in costs.model.modules.items():
            for item in summary.imports:
                if item.name == "*" or item.name in names:
                    target, attribute = resolver.resolve_import(item, other)
                    if item.name == "*" and target == path:
                        return True
                    if target == path and attribute in names:
                        return True
        return False


def _bound_name(alias: cst.ImportAlias, statement: cst.Import | cst.ImportFrom) -> str:
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

    Standard-library imports are left to general linters (Ruff's F401): they cost
    little, and many are loaded before the handler's module anyway.

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
        Example("import json\n\ndef handler(event, context):\n    return 1\n"),
        Example("import pandas  # noqa: F401\n\ndef handler(event, context):\n    return 1\n"),
        Example("import mycompany_sdk\n\ndef handler(event, context):\n    return 1\n"),
        Example(
            "import numpy as np\nfrom numpy import zeros\n\n"
            "def handler(event, context):\n    return zeros(2)\n"
        ),
    ]
    INVALID = [
        Example(
            "import pandas as pd\n\ndef handler(event, context):\n    return 1\n",
            at="pandas as pd",
            message="pandas",
        ),
        Example(
            "from sklearn.linear_model import LinearRegression, Ridge\n\n"
            "def handler(event, context):\n    return 1\n",
            at="LinearRegression",
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
                code = module.code
                type_names = type_comment_names(code)
            if any(name in (type_names or ()) for name in group.bound):
                continue
            line = self.context.positions.start(group.statement).line
            if KEPT_ON_PURPOSE.search(code.splitlines()[line - 1]):
                continue
            if self._reexported(costs, group.bound):
                continue
            saving, handler = costs.best_saving(path, group.imports)
            if handler is None or saving < 1:
                continue
            handlers = len(costs.handlers_loading(path))
            names = ", ".join(f"`{name}`" for name in group.bound)
            self.report(
                group.aliases[0],
                f"`{group.module}` is imported at INIT but {names} "
                f"{'is' if len(group.bound) == 1 else 'are'} never used in this module: "
                f"removing the import saves {_saving_text(saving, handler.qualname, handlers)}",
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
    exceeds `budget-ms` (1,000 ms by default). The message names the biggest
    contributors with the import chain that brings each in; `lambda-lint coldstart`
    shows the whole tree.

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
    ]

    def check_project(self) -> None:
        budget = self.settings["budget-ms"]
        model = self.project.model
        costs = cold_start_model(model)
        for handler in sorted(model.handlers.values(), key=lambda h: (str(h.file), h.line)):
            total = costs.total_ms(handler)
            if total <= budget:
                continue
            top = costs.contributors(costs.tree(handler))[:3]
            listed = "; ".join(
                f"{c.node.name} ≈ {_ms(c.node.total_ms)} ({c.chain_text})" for c in top
            )
            related = tuple(
                RelatedLocation(
                    self.project.display(c.node.imported_at[0]),
                    Position(c.node.imported_at[1], 0),
                    f"imports {c.node.name} (≈ {_ms(c.node.total_ms)})",
                )
                for c in top
                if c.node.imported_at is not None
            )
            self.report_handler(
                handler,
                f"INIT imports of `{handler.qualname}` cost an estimated {_ms(total)}, over the "
                f"{_ms(budget)} budget; heaviest: {listed}",
                related=related,
            )
