"""Proposal and comment bodies: a safe Markdown subset rendered by markdown-it-py and cleaned by nh3 (Ammonia)."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

# CommonMark without raw HTML; tables, images and the rest are not part of the subset.
_MD = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).disable(
    ["image", "html_block", "html_inline"]
)
ALLOWED_TAGS = frozenset(
    {"p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "code", "pre", "h3", "h4", "hr"}
)
ALLOWED_ATTRIBUTES = {"a": {"href"}}
ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})


def render(text: str) -> str:
    """HTML of ``text``: Markdown rendered, then only the allowed tags, attributes and URL schemes kept."""
    html = _MD.render(text)
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_SCHEMES),
        link_rel="nofollow noopener noreferrer",
    )
