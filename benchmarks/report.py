"""Write a benchmark's table where ``make bench`` keeps them, and show it."""

from __future__ import annotations

from pathlib import Path


def publish(lines: list[str], output: Path) -> int:
    """Write ``lines`` to ``output`` (a Markdown table and notes), print them; return 0."""
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0
