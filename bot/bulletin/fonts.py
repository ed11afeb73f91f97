"""The fonts of an official document, and what stands in for them where they are missing.

GB/T 9704 names 小标宋 for titles, 仿宋_GB2312 for the body, 黑体 and 楷体_GB2312 for headings.
They are not free. The document names them, so an office machine that has them uses them; Word on
a machine without them reads the font table's alternative (Windows' own 仿宋, 楷体, 宋体), and
LibreOffice, which makes the PDF, is pointed at free fonts through fontconfig (`fontconfig`).
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import quoteattr


@dataclass(frozen=True)
class Font:
    # The font an office document names.
    name: str
    # What Word substitutes on a PC without it: a font Windows ships.
    windows: str
    # The free font LibreOffice uses instead (Debian: fonts-noto-cjk, fonts-arphic-ukai). 小标宋
    # is a heavy Song, but asking fontconfig for bold would also embolden the real 小标宋 where
    # it is installed: the regular Noto Serif stands in.
    free: str


TITLE = Font("方正小标宋简体", "宋体", "Noto Serif CJK SC")
BODY = Font("仿宋_GB2312", "仿宋", "Noto Serif CJK SC")
HEI = Font("黑体", "SimHei", "Noto Sans CJK SC")
KAI = Font("楷体_GB2312", "楷体", "AR PL UKai CN")
SONG = Font("宋体", "SimSun", "Noto Serif CJK SC")
ALL = (TITLE, BODY, HEI, KAI, SONG)
# Digits and Latin letters: GB/T 9704 sets them in a Roman face beside the Chinese.
LATIN = "Times New Roman"


def font_table_xml() -> bytes:
    """word/fontTable.xml naming every font the document uses, each with its alternative and
    the GB2312 character set, so that Word's substitution lands on a Chinese face."""
    entries = [
        f"<w:font w:name={quoteattr(font.name)}><w:altName w:val={quoteattr(font.windows)}/>"
        '<w:charset w:val="86"/><w:family w:val="auto"/><w:pitch w:val="variable"/></w:font>'
        for font in ALL
    ]
    entries.append(
        f'<w:font w:name="{LATIN}"><w:panose1 w:val="02020603050405020304"/>'
        '<w:charset w:val="00"/><w:family w:val="roman"/><w:pitch w:val="variable"/></w:font>'
    )
    return (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        '<w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        + "".join(entries)
        + "</w:fonts>"
    ).encode()


def fontconfig(system_conf: str) -> str:
    """A fontconfig file: the system's configuration, and then each official font accepting its
    free stand-in after it, so that where the official font is installed it still wins."""
    rules = [
        '<match target="pattern">'
        f'<test name="family"><string>{font.name}</string></test>'
        f'<edit name="family" mode="append" binding="same"><string>{font.free}</string></edit>'
        "</match>"
        for font in ALL
    ]
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>'
        f'<include ignore_missing="yes">{system_conf}</include>' + "".join(rules) + "</fontconfig>"
    )
