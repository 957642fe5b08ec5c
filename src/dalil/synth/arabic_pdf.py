"""Fictional Arabic documents rendered to PDF by several generators, for tests and the
PDF benchmark: Chromium print, WeasyPrint, LibreOffice Writer (when installed) and a
visual-order PDF built here (shaped presentation forms drawn left to right, as legacy
generators write them). All text is fictional."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

PARAS = [
    "قالت منظمة الرصد الخيالية في تقرير نشرته يوم ١٤ آذار ٢٠٢٥ إن مسلحين من كتيبة الساحل "
    "الخيالية قتلوا ما لا يقل عن ٣٢ مدنياً في بلدة مرجان الخيالية يومي السابع والثامن من آذار.",
    "وأضاف التقرير أن الشهود رأوا المسلحين ينتقلون من بيت إلى بيت ويطلقون النار على الرجال "
    "أمام عائلاتهم، وأن الأهالي اضطروا إلى دفن الضحايا في مقبرة جماعية قرب المدرسة.",
    "وقال أحد الشهود، الذي طلب عدم ذكر اسمه لأسباب أمنية: «لم يكن أحد من القتلى مسلحاً، "
    "كانوا في بيوتهم». وطالبت المنظمة بتحقيق مستقل وبحماية الشهود وعائلات الضحايا.",
    "وذكرت المنظمة أن فريقها وثّق ١٠٦٠ اسماً حتى الآن، وأن العدد الحقيقي قد يكون أعلى بكثير، "
    "داعيةً إلى السماح للمحققين بالوصول إلى مواقع الدفن وإلى الأدلة الجنائية.",
]


def fictional_text() -> str:
    return "\n\n".join(PARAS) + "\n"


def html_doc(text: str) -> str:
    body = "".join(f"<p>{p}</p>" for p in text.strip().split("\n\n"))
    return (
        '<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8">'
        "<style>body{font-family:'DejaVu Sans',sans-serif;font-size:13pt}</style></head>"
        f"<body>{body}</body></html>"
    )


# --- a visual-order PDF: shaped glyphs drawn left to right ----------------------------

_FORMS: dict[tuple[str, str], str] = {}
for _cp in list(range(0xFE70, 0xFEFF)) + list(range(0xFB50, 0xFDFF)):
    _d = unicodedata.decomposition(chr(_cp)).split()
    if len(_d) == 2 and _d[0] in ("<isolated>", "<final>", "<initial>", "<medial>"):
        _FORMS[(chr(int(_d[1], 16)), _d[0][1:-1])] = chr(_cp)
_RIGHT_ONLY = set("اأإآدذرزوؤةى")


def _joins(c: str) -> bool:
    return (c, "isolated") in _FORMS


def shape(word: str) -> str:
    out = []
    for i, c in enumerate(word):
        prev = word[i - 1] if i else None
        nxt = word[i + 1] if i + 1 < len(word) else None
        jp = prev is not None and _joins(prev) and prev not in _RIGHT_ONLY
        jn = nxt is not None and _joins(nxt) and _joins(c) and c not in _RIGHT_ONLY
        form = {
            (False, False): "isolated",
            (True, False): "final",
            (False, True): "initial",
            (True, True): "medial",
        }[(jp, jn)]
        out.append(_FORMS.get((c, form), _FORMS.get((c, "isolated"), c)))
    return "".join(out)


def visual_line(line: str) -> str:
    shaped = " ".join(shape(w) for w in line.split(" "))
    rev = shaped[::-1].translate(str.maketrans("()«»", ")(»«"))
    # numbers are drawn left to right: turn them back
    return re.sub(r"[0-9\u0660-\u0669]+", lambda m: m.group()[::-1], rev)


def visual_pdf(text: str, out: Path) -> None:
    import weasyprint

    lines = []
    for para in text.strip().split("\n\n"):
        words = para.split()
        for i in range(0, len(words), 10):  # fixed line breaks, as a typesetter would
            lines.append(" ".join(words[i : i + 10]))
    body = "".join(
        "<p style='direction:ltr;unicode-bidi:bidi-override;text-align:right;margin:0'>"
        f"{visual_line(line)}</p>"
        for line in lines
    )
    html = f"<html><body style=\"font-family:'DejaVu Sans';font-size:13pt\">{body}</body></html>"
    weasyprint.HTML(string=html).write_pdf(out)


def chromium_pdf(html: Path, out: Path) -> bool:
    exe = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(exe).exists():
        return False
    subprocess.run(
        [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
         f"--print-to-pdf={out}", html.as_uri()],
        capture_output=True, timeout=120, check=False,
    )  # fmt: skip
    return out.exists()


def libreoffice_pdf(txt: Path, out: Path) -> bool:
    """The .txt itself opened in LibreOffice Writer (UTF-8) and exported to PDF."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        return False
    subprocess.run(
        [exe, "--headless", '--infilter=Text (encoded):UTF8,LF,DejaVu Sans,ar',
         "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(out.parent), str(txt)],
        capture_output=True, timeout=180, check=False,
        env={**os.environ, "HOME": str(out.parent)},
    )  # fmt: skip
    made = out.parent / (txt.stem + ".pdf")
    if made.exists():
        made.rename(out)
    return out.exists()
