"""Run the schemathesis CLI with one interpreter bug worked around (``python tests/fuzz/schemathesis_launcher.py run ...``).

On CPython 3.11.7, hypothesis describing a lambda-built strategy deep inside schemathesis's coverage phase
(our GeoJSON boundaries nest arrays four deep) calls ``ast.parse``, which can fail with
"SystemError: AST constructor recursion depth mismatch" (CPython gh-106905, fixed in later releases). The
description only feeds a message of hypothesis's own; without it the fuzzer crashes with a "Runtime Error"
that says nothing about our API. Here a failed description falls back to a placeholder; every check and
every generated request stay as they are.
"""

from __future__ import annotations

import sys
from typing import Any

import hypothesis.internal.lambda_sources as lambda_sources
from schemathesis.cli import schemathesis

_describe = lambda_sources._lambda_description


def _describe_or_placeholder(f: Any, *args: Any, **kwargs: Any) -> str:
    try:
        return str(_describe(f, *args, **kwargs))
    except SystemError:
        return "lambda: <source not available>"


lambda_sources._lambda_description = _describe_or_placeholder

if __name__ == "__main__":
    sys.exit(schemathesis())
