"""The Jinja2 templates of the handler boilerplate (generator/templates/plumbing/).

StrictUndefined: a misspelt variable is an error, never an empty string in generated code.
Values are written into Python source with the `py` filter (repr), which quotes and escapes
correctly; `doc` makes free text (descriptions) safe inside a docstring.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2

from generator.codegen.literals import py

# Shipped inside the package (pyproject.toml package-data), so an installed wheel has them.
TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "templates" / "plumbing"


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    if not TEMPLATES_DIR.is_dir():
        raise RuntimeError(f"svcgen's handler templates are missing: {TEMPLATES_DIR} "
                           f"(the installation is incomplete: reinstall svcgen)")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # Python source, not HTML
    )
    env.filters["py"] = py
    env.filters["pyblock"] = pyblock
    env.filters["doc"] = docstring_text
    env.filters["from_import"] = from_import
    env.filters["isorted"] = isorted
    return env


def render(name: str, **context) -> str:
    return environment().get_template(name).render(**context)


def docstring_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')


# Generated code is checked with ruff (E, F, W, I) at this line length, as svcgen's own code.
LINE_LENGTH = 120


def pyblock(value: dict, indent: int) -> str:
    """A dict literal, one entry per line, for data too long for one line."""
    pad = " " * indent
    inner = "".join(f"{pad}    {py(k)}: {py(v)},\n" for k, v in value.items())
    return "{\n" + inner + pad + "}"


def isort_key(name: str) -> tuple:
    """isort's (and ruff's) force-sort order: CONSTANTS, then Classes, then everything else."""
    kind = 0 if name.isupper() else 1 if name[:1].isupper() else 2
    return kind, name


def isorted(names) -> list[str]:
    return sorted(names, key=isort_key)


def from_import(names, module: str) -> str:
    """`from module import a, b`, wrapped one name per line when too long (as isort does)."""
    names = isorted(dict.fromkeys(names))
    line = f"from {module} import {', '.join(names)}"
    if len(line) <= LINE_LENGTH:
        return line
    return f"from {module} import (\n" + "".join(f"    {n},\n" for n in names) + ")"
