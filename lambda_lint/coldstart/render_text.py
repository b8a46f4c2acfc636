"""`lambda-lint coldstart` in a terminal: a flame graph turned sideways.

Each handler gets a header with its total, then its import tree, heaviest branch first:
cost, a bar as long as the module's share of the handler's total, and the module under
tree guides. Modules below `min_ms` are folded into one "more" line per parent, so the
tree reads at a glance. Colour (only when asked: a terminal, and no NO_COLOR) marks what
is heavy.
"""

from __future__ import annotations

from typing import Any

from lambda_lint.coldstart.report import VERDICTS, provenance_note

BAR_WIDTH = 24
EIGHTHS = " ▏▎▍▌▋▊▉"
#: the share of a handler's total under which a module is folded, unless --min-ms says
DEFAULT_SHARE = 0.01

RESET, BOLD, DIM = "\033[0m", "\033[1m", "\033[2m"
RED, YELLOW, BLUE = "\033[31m", "\033[33m", "\033[34m"


def bar(value: float, total: float, width: int = BAR_WIDTH) -> str:
    """A bar of `width` cells for `value / total`, in eighths of a cell."""
    if total <= 0:
        return " " * width
    eighths = round(max(0.0, min(1.0, value / total)) * width * 8)
    full, rest = divmod(eighths, 8)
    text = "█" * full + (EIGHTHS[rest] if rest else "")
    return text.ljust(width)


def _ms(value: float) -> str:
    return f"{value:,.0f} ms" if value >= 10 else f"{value:,.1f} ms"


class TreeRenderer:
    def __init__(self, color: bool, heavy_ms: float, min_ms: float | None) -> None:
        self.color = color
        self.heavy_ms = heavy_ms
        self.min_ms = min_ms

    def _paint(self, text: str, *styles: str) -> str:
        if not self.color or not styles:
            return text
        return "".join(styles) + text + RESET

    def render(self, data: dict[str, Any]) -> str:
        handlers = data["handlers"]
        if not handlers:
            return "No handlers found.\n"
        blocks = [self._handler(item) for item in handlers]
        return "\n".join(blocks) + "\n" + self._paint(provenance_note(data), DIM) + "\n"

    def _handler(self, item: dict[str, Any]) -> str:
        total = item["total_ms"]
        budget = item["budget_ms"]
        label = "measured" if item["source"] == "measured" else "estimated"
        wording = VERDICTS[item["verdict"]].format(budget=f"{budget:,.0f} ms")
        styles = {"over": (BOLD, RED), "near": (YELLOW,), "within": (DIM,)}[item["verdict"]]
        verdict = self._paint(wording, *styles)
        lines = [
            f"{self._paint(item['handler'], BOLD)}  {item['file']}:{item['line']}  "
            f"INIT imports {label}: {self._paint(_ms(total), BOLD)} ({verdict})"
        ]
        if item.get("problem"):
            lines.append(self._paint(f"  measuring failed: {item['problem']}", YELLOW))
        threshold = self.min_ms if self.min_ms is not None else max(1.0, total * DEFAULT_SHARE)
        self._lines(item["tree"], total, threshold, "", "", lines)
        return "\n".join(lines) + "\n"

    def _lines(
        self,
        node: dict[str, Any],
        total: float,
        threshold: float,
        lead: str,
        branch: str,
        out: list[str],
    ) -> None:
        name = node["name"]
        if node["kind"] == "project":
            name = self._paint(name, BOLD, BLUE)
        elif node["source"] == "default":
            name += self._paint("  (not in the table: default cost)", DIM)
        elif node["source"] == "config":
            name += self._paint("  (configured cost)", DIM)
        out.append(f"{_ms(node['total_ms']):>10}  {self._bar(node, total)}  {lead}{branch}{name}")
        shown = [c for c in node["children"] if c["total_ms"] >= threshold]
        folded = [c for c in node["children"] if c["total_ms"] < threshold]
        below = lead + ("│  " if branch == "├─ " else "   " if branch else "")
        rest = sum(c["total_ms"] for c in folded)
        folds = bool(folded) and rest >= threshold
        for index, child in enumerate(shown):
            last = index == len(shown) - 1 and not folds
            self._lines(child, total, threshold, below, "└─ " if last else "├─ ", out)
        if folds:
            text = f"{len(folded)} more under {_ms(threshold)}"
            out.append(
                f"{_ms(rest):>10}  {self._bar({'total_ms': rest, 'kind': 'stdlib'}, total)}  "
                f"{below}└─ {self._paint(text, DIM)}"
            )

    def _bar(self, node: dict[str, Any], total: float) -> str:
        text = bar(node["total_ms"], total)
        if node["kind"] == "project":
            return self._paint(text, BLUE)
        if node["kind"] == "stdlib":
            return self._paint(text, DIM)
        return self._paint(text, RED if node["total_ms"] >= self.heavy_ms else YELLOW)
