"""The Python examples in the README and the tutorials run as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs" / "tutorial").glob("*.md"))]
#: Reference pages with Python examples (those that need the real kernel's
#: sandbox, naming ``KernelHost``, are shown but not run here).
REFERENCE = [p for p in sorted((ROOT / "docs" / "reference").glob("*.md"))
             if "```python" in p.read_text()]  # fmt: skip


@pytest.mark.parametrize("path", DOCS + REFERENCE, ids=lambda p: p.name)
def test_python_blocks_run(path: Path) -> None:
    """All ```python blocks of a page, in order, share one namespace."""
    blocks = re.findall(r"```python\n(.*?)```", path.read_text(), flags=re.S)
    blocks = [b for b in blocks if "KernelHost" not in b]
    assert blocks or path in REFERENCE, f"{path} has no python examples"
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, str(path), "exec"), namespace)


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=lambda p: p.name)
def test_notebook_code_cells_run(path: Path) -> None:
    """Every code cell of every notebook runs, in order, without error."""
    import json

    cells = json.loads(path.read_text())["cells"]
    namespace: dict[str, object] = {}
    for cell in cells:
        if cell["cell_type"] == "code":
            exec(compile("".join(cell["source"]), str(path), "exec"), namespace)
