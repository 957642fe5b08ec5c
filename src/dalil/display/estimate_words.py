"""An estimate's model choice and publication gates in words, in English and Arabic.

Used by the web pages and the report alike, so that both say the same thing. Input is
the estimation JSON (``dalil estimate --json``): ``selection`` for the model choice,
``publication.reasons`` for the gates (their English sentences are parsed back into
their parts, so a new gate reason without words here is shown as it is).
"""

from __future__ import annotations

import re
from typing import Any

LANGS = ("en", "ar")

WORDS: dict[str, dict[str, str]] = {
    "rhat": {
        "en": "R-hat {rhat} is above {max}: the chains have not converged",
        "ar": "قيمة R-hat ‏{rhat} أعلى من {max}: لم تتقارب السلاسل",
    },
    "rhat_missing": {
        "en": "R-hat was not reported, so convergence cannot be checked",
        "ar": "لم تُذكر قيمة R-hat، فلا يمكن التحقق من تقارب السلاسل",
    },
    "ess": {
        "en": "effective sample size {ess} is below {min}",
        "ar": "حجم العينة الفعلي {ess} أقل من {min}",
    },
    "disagree": {
        "en": "the chains disagree, so no single number is given",
        "ar": "السلاسل غير متفقة، فلا يُعطى رقم واحد",
    },
    "spread": {
        "en": "the methods disagree by {spread} of their median (more than {max})",
        "ar": "تختلف الطرق فيما بينها بمقدار {spread} من وسيطها (أكثر من {max})",
    },
    "weight": {
        "en": "the chosen model carries only {w} of the {rule} weight (less than {min})",
        "ar": "النموذج المختار لا يحمل إلا {w} من وزن {rule} (أقل من {min})",
    },
    "none": {"en": "no estimate", "ar": "لا يوجد تقدير"},
    "stratum": {"en": "stratum “{s}”: {text}", "ar": "الفئة «{s}»: {text}"},
    "method": {"en": "{m}: {text}", "ar": "{m}: {text}"},
    "auto_stepwise": {
        "en": (
            "Model chosen by the stepwise rule (Chan, Silverman & Vincent 2021), because "
            "the table is sparse: {why}. Interactions of two lists were added one at a "
            "time while significant (p < {p}); interactions of three or more lists would "
            "rest on a handful of people."
        ),
        "ar": (
            "اختير النموذج بالقاعدة التدريجية (Chan وSilverman وVincent ‏2021) لأن الجدول "
            "متناثر: {why}. أُضيفت التفاعلات بين قائمتين واحداً تلو الآخر ما دامت دالّة "
            "(p < {p})؛ أما التفاعلات بين ثلاث قوائم أو أكثر فستقوم على عدد قليل من الأشخاص."
        ),
    },
    "auto_bic": {
        "en": (
            "Model chosen by comparing every hierarchical model by BIC, because the table "
            "is dense: every pair of lists shares at least {min} people and {empty} of "
            "{cells} capture patterns are empty."
        ),
        "ar": (
            "اختير النموذج بمقارنة كل النماذج الهرمية بمعيار BIC لأن الجدول كثيف: كل زوج "
            "من القوائم يشترك في {min} أشخاص على الأقل، و{empty} من {cells} من أنماط "
            "الرصد فارغة."
        ),
    },
    "many_lists": {"en": "{n} lists", "ar": "{n} قوائم"},
    "thin_pairs": {
        "en": "{n} pairs of lists share fewer than {min} people",
        "ar": "{n} من أزواج القوائم تشترك في أقل من {min} أشخاص",
    },
    "empty": {
        "en": "{empty} of {cells} capture patterns are empty",
        "ar": "{empty} من {cells} من أنماط الرصد فارغة",
    },
    "asked": {
        "en": "Model chosen by the rule asked for: {rule}.",
        "ar": "اختير النموذج بالقاعدة المطلوبة: {rule}.",
    },
    "given": {"en": "Model given by the analyst.", "ar": "النموذج حدده المحلل."},
    "step": {
        "en": "Added {pair}: {on_both} people on both lists, {expected} expected (p = {p}).",
        "ar": "أُضيف {pair}: {on_both} شخصاً على القائمتين، والمتوقع {expected} (p = {p}).",
    },
    "stop": {
        "en": "Stopped: the next pair is not significant (p = {p}).",
        "ar": "توقف الاختيار: الزوج التالي غير دالّ (p = {p}).",
    },
    "stop_none": {
        "en": "Stopped: no further pair is significant.",
        "ar": "توقف الاختيار: لا زوج آخر دالّ.",
    },
}

_GATES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"R-hat (?P<rhat>\S+) > (?P<max>\S+): the chains have not converged"), "rhat"),
    (re.compile(r"R-hat not reported: convergence cannot be checked"), "rhat_missing"),
    (re.compile(r"effective sample size (?P<ess>\S+) < (?P<min>\S+)"), "ess"),
    (re.compile(r"the chains disagree; no single number"), "disagree"),
    (
        re.compile(r"the methods disagree by (?P<spread>\S+) of their median \(> (?P<max>\S+)\)"),
        "spread",
    ),
    (
        re.compile(
            r"the chosen model carries (?P<w>\S+) of the (?P<rule>\w+) weight \(< (?P<min>\S+)\)"
        ),
        "weight",
    ),
    (re.compile(r"no estimate"), "none"),
]
#: A stratum's name in quotation marks (“…”; results stored before: Python's quotes).
_STRATUM = re.compile(r"stratum (?:“(?P<s>.*?)”|'(?P<s1>.*?)'|\"(?P<s2>.*?)\"): (?P<rest>.*)")
_METHOD = re.compile(r"(?P<m>loglinear|lcmcr|bma): (?P<rest>.*)")


def word(key: str, lang: str, **kw: Any) -> str:
    text = WORDS[key].get(lang) or WORDS[key]["en"]
    return text.format(**kw)


def gate_words(reason: str, lang: str = "en") -> str:
    """One publication-gate reason (``publication.reasons[i]``) in *lang*."""
    m = _STRATUM.fullmatch(reason)
    if m:
        name = next(m[g] for g in ("s", "s1", "s2") if m[g] is not None)
        return word("stratum", lang, s=name, text=gate_words(m["rest"], lang))
    m = _METHOD.fullmatch(reason)
    if m:
        return word("method", lang, m=m["m"], text=gate_words(m["rest"], lang))
    for pattern, key in _GATES:
        m = pattern.fullmatch(reason)
        if m:
            return word(key, lang, **m.groupdict())
    return reason


def _p(p: Any) -> str:
    return "—" if p is None else f"{float(p):.2g}"


def selection_words(
    selection: dict[str, Any] | None, lang: str = "en", *, n_lists: int = 0
) -> list[str]:
    """Why the model was chosen, then the stepwise path if any; [] for methods that
    choose no model (LCMCR, BMA). *n_lists*: how many lists the table has."""
    if not selection:
        return []
    rule = selection.get("rule")
    sp = selection.get("sparsity") or {}
    out: list[str] = []
    if rule == "given":
        out.append(word("given", lang))
    elif selection.get("requested") == "auto" and rule == "stepwise":
        why: list[str] = []
        if n_lists >= 6:
            why.append(word("many_lists", lang, n=n_lists))
        thin = sp.get("pairs_below_min_overlap") or []
        if thin:
            why.append(word("thin_pairs", lang, n=len(thin), min=sp.get("min_pair_overlap")))
        if sp.get("cells") and sp.get("empty_cells") is not None:
            why.append(word("empty", lang, empty=sp["empty_cells"], cells=sp["cells"]))
        sep = "؛ " if lang == "ar" else "; "
        out.append(word("auto_stepwise", lang, why=sep.join(why), p=selection.get("p_threshold")))
    elif selection.get("requested") == "auto":
        out.append(
            word(
                "auto_bic",
                lang,
                min=sp.get("min_pair_overlap"),
                empty=sp.get("empty_cells"),
                cells=sp.get("cells"),
            )
        )
    else:
        out.append(word("asked", lang, rule=str(rule).upper() if rule != "stepwise" else rule))
    for step in selection.get("steps") or []:
        if step.get("added"):
            out.append(
                word(
                    "step",
                    lang,
                    pair=step["added"],
                    on_both=step.get("on_both"),
                    expected=step.get("expected"),
                    p=_p(step.get("p_value")),
                )
            )
        elif step.get("p_value") is not None:
            out.append(word("stop", lang, p=_p(step["p_value"])))
        else:
            out.append(word("stop_none", lang))
    return out


METHODS: dict[str, dict[str, str]] = {
    "loglinear": {"en": "log-linear models", "ar": "النماذج اللوغاريتمية الخطية"},
    "lcmcr": {
        "en": "latent-class model (LCMCR, Bayesian)",
        "ar": "نموذج الفئات الكامنة (LCMCR، بايزي)",
    },
    "bma": {"en": "Bayesian model averaging", "ar": "متوسط النماذج البايزي"},
}

MODEL_WORDS: dict[str, dict[str, str]] = {
    "list_n": {"en": "list {n}: {name}", "ar": "القائمة {n}: {name}"},
    "independent": {
        "en": "Every list is treated as independent of the others.",
        "ar": "تُعامل كل قائمة على أنها مستقلة عن القوائم الأخرى.",
    },
    "depend": {
        "en": "Being on {names} may depend on each other.",
        "ar": "يُسمح بأن يرتبط الورود في {names} بعضها ببعض.",
    },
    "alone": {
        "en": "{names}: independent of the others.",
        "ar": "{names}: مستقلة عن غيرها.",
    },
    "and": {"en": " and ", "ar": " و"},
    "sep": {"en": ", ", "ar": "، "},
}

_MODEL = re.compile(r"\[(?P<body>[^\]]*)\]")


def method_words(method: str | None, lang: str = "en") -> str:
    """An estimation method's name in words (``loglinear`` -> log-linear models)."""
    if not method:
        return "—"
    words = METHODS.get(method)
    return (words.get(lang) or words["en"]) if words else method


def model_words(
    model: str | None, lists: list[str] | tuple[str, ...], lang: str = "en"
) -> dict[str, Any]:
    """A log-linear model's notation (``[1,23,4]`` or ``[A*B,C]``) in words, with the
    list names: ``{"notation": "[1,23,4]", "legend": ["list 1: …", …], "terms": [sentences]}``.
    An unknown notation gives no legend and no sentences (the notation is then shown as
    it is)."""
    out: dict[str, Any] = {"notation": model or "", "legend": [], "terms": []}
    m = _MODEL.search(model or "")
    if not m or not lists:
        return out
    names = list(lists)

    def w(key: str) -> str:
        return MODEL_WORDS[key].get(lang) or MODEL_WORDS[key]["en"]

    groups: list[list[str]] = []
    for part in m["body"].split(","):
        part = part.strip()
        if not part:
            continue
        if "*" in part or not part.isdigit():
            members = [p.strip() for p in part.split("*")]
            if not all(p in names for p in members):
                return out
            groups.append(members)
        else:
            idx = [int(c) - 1 for c in part]
            if not all(0 <= i < len(names) for i in idx):
                return out
            groups.append([names[i] for i in idx])
    out["legend"] = [w("list_n").format(n=i + 1, name=n) for i, n in enumerate(names)]

    def quoted(s: str) -> str:
        return f"«{s}»" if lang == "ar" else f"“{s}”"

    pairs = [g for g in groups if len(g) > 1]
    if not pairs:
        out["terms"] = [w("independent")]
        return out
    for g in pairs:
        joined = w("sep").join(quoted(x) for x in g[:-1]) + w("and") + quoted(g[-1])
        out["terms"].append(w("depend").format(names=joined))
    alone = [g[0] for g in groups if len(g) == 1 and not any(g[0] in p for p in pairs)]
    if alone:
        out["terms"].append(w("alone").format(names=w("sep").join(quoted(x) for x in alone)))
    return out
