"""Sphinx extension: the theme's icons without 1.5 MB of Font Awesome on every page.

The pydata theme loads ``fontawesome.js`` (1.49 MB, every icon of Font Awesome as SVG data)
on every page, and its stylesheet also declares the Font Awesome web fonts (156 kB for the
solid style alone), which every page with an admonition downloads. The site uses about
twenty icons. After the HTML build this extension

1. removes ``fontawesome.js`` from every page: the icons (``<i class="fa-solid fa-x">``)
   are drawn by the web font instead, which the theme's stylesheet already styles;
2. collects the icon glyphs the site can show: the ``fa-*`` classes in the pages and the
   theme's scripts, and the private-use characters the stylesheets use as ``content``
   (admonition, dropdown and exercise icons);
3. writes a subset of each Font Awesome font with only those glyphs (WOFF, a few kB) and
   points the stylesheet's ``@font-face`` rules at it;
4. drops the stylesheet's rules for icons the site never shows.

A class naming an icon that the fonts do not have is reported as a warning (an error in the
book's ``-W`` build), so a missing icon cannot go unnoticed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging

LOGGER = logging.getLogger(__name__)

FONTS = ("fa-solid-900", "fa-regular-400", "fa-brands-400")
PUA = re.compile("[\ue000-\uf8ff]")
ESCAPED_PUA = re.compile(r"\\(f[0-9a-fA-F]{3}|e[0-9a-fA-F]{3})(?![0-9a-fA-F])")
# One rule of the Font Awesome stylesheet: ".fa-a:before,.fa-b:before{content:"\uf002"}".
ICON_RULE = re.compile(r"((?:\.fa-[a-z0-9-]+:(?::)?before,?)+)\{content:\"([^\"]*)\"\}")
ICON_CLASS = re.compile(r"\bfa-[a-z0-9-]+")
FONTAWESOME_SCRIPT = re.compile(
    r'\s*<(?:script[^>]*|link[^>]*rel="preload"[^>]*)'
    r'src="[^"]*_static/scripts/fontawesome\.js[^"]*"[^>]*>(?:</script>)?'
    r'|\s*<link[^>]*href="[^"]*_static/scripts/fontawesome\.js[^"]*"[^>]*/?>'
)
# Style and size classes of Font Awesome, not icon names.
MODIFIERS = {
    "fa-solid", "fa-regular", "fa-brands", "fa-lg", "fa-sm", "fa-xs", "fa-2xs", "fa-xl",
    "fa-2xl", "fa-fw", "fa-spin", "fa-pulse", "fa-beat", "fa-fade", "fa-flip", "fa-shake",
    "fa-bounce", "fa-border", "fa-inverse", "fa-ul", "fa-li", "fa-stack", "fa-stack-1x",
    "fa-stack-2x", "fa-rotate-90", "fa-rotate-180", "fa-rotate-270", "fa-flip-horizontal",
    "fa-flip-vertical", "fa-flip-both", "fa-pull-left", "fa-pull-right", "fa-layers",
    "fa-duotone", "fa-light", "fa-thin", "fa-kit", "fa-sharp", "fa-classic",
} | {f"fa-{n}x" for n in range(1, 11)}


def _css_codepoints(text: str) -> set[str]:
    """Private-use characters a stylesheet shows, written raw or as escapes."""
    chars = set(PUA.findall(text))
    chars |= {chr(int(code, 16)) for code in ESCAPED_PUA.findall(text)}
    return chars


def _decode(content: str) -> str:
    return ESCAPED_PUA.sub(lambda m: chr(int(m.group(1), 16)), content)


def _used_classes(outdir: Path) -> set[str]:
    used: set[str] = set()
    for path in list(outdir.rglob("*.html")) + list((outdir / "_static").rglob("*.js")):
        if path.name == "fontawesome.js":
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        used |= set(ICON_CLASS.findall(text))
    return used - MODIFIERS


def _subset_fonts(webfonts: Path, chars: set[str]) -> list[str]:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    written = []
    for name in FONTS:
        source = webfonts / f"{name}.ttf"
        if not source.exists():
            continue
        font = TTFont(source)
        cmap = font.getBestCmap()
        keep = sorted(ord(c) for c in chars if ord(c) in cmap)
        options = subset.Options()
        options.flavor = "woff"  # zlib; woff2 would need the brotli module
        options.layout_features = ["*"]
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=keep or [0x20])
        subsetter.subset(font)
        font.flavor = "woff"
        font.save(webfonts / f"{name}.subset.woff")
        written.append(name)
    return written


def slim_icons(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    static = outdir / "_static"
    stylesheet = static / "styles" / "pydata-sphinx-theme.css"
    webfonts = static / "vendor" / "fontawesome" / "webfonts"
    if not stylesheet.exists() or not webfonts.exists():
        return

    # 1. No fontawesome.js on any page.
    for page in outdir.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        slimmer = FONTAWESOME_SCRIPT.sub("", html)
        if slimmer != html:
            page.write_text(slimmer, encoding="utf-8")

    # 2. The glyphs the site can show.
    css = stylesheet.read_text(encoding="utf-8")
    glyph_of: dict[str, str] = {}
    for selectors, content in ICON_RULE.findall(css):
        for name in ICON_CLASS.findall(selectors):
            glyph_of[name] = _decode(content)
    classes = _used_classes(outdir)
    unknown = sorted(c for c in classes if c not in glyph_of)
    for name in unknown:
        LOGGER.warning(f"icon_subset: a page uses the icon class {name!r}, unknown to the fonts")
    chars = {glyph_of[c] for c in classes if c in glyph_of}
    css_without_icon_rules = ICON_RULE.sub("", css)
    chars |= _css_codepoints(css_without_icon_rules)
    for other in static.rglob("*.css"):
        if other != stylesheet:
            chars |= _css_codepoints(other.read_text(encoding="utf-8", errors="replace"))

    # 3. Subset fonts, and the stylesheet points at them.
    for name in _subset_fonts(webfonts, chars):
        css = re.sub(
            rf"src:url\(\.\./vendor/fontawesome/webfonts/{name}\.woff2\) format\(\"woff2\"\),"
            rf"url\(\.\./vendor/fontawesome/webfonts/{name}\.ttf\) format\(\"truetype\"\)",
            f'src:url(../vendor/fontawesome/webfonts/{name}.subset.woff) format("woff")',
            css,
        )

    # 4. Only the icon rules of icons in use.
    def keep_used(match: re.Match[str]) -> str:
        names = ICON_CLASS.findall(match.group(1))
        return match.group(0) if any(n in classes for n in names) else ""

    stylesheet.write_text(ICON_RULE.sub(keep_used, css), encoding="utf-8")


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("build-finished", slim_icons)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
