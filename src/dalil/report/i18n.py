"""Report labels in English and Arabic. Case content (titles, notes) stays as recorded."""

from __future__ import annotations

LANGS = ("en", "ar")

STRINGS: dict[str, dict[str, str]] = {
    "internal_report": {
        "en": "Internal report — restricted to the investigation team",
        "ar": "تقرير داخلي — مقصور على فريق التحقيق",
    },
    "public_report": {"en": "Public report", "ar": "تقرير عام"},
    "fictional": {
        "en": "FICTIONAL CASE — synthetic demo data; no real person, place or event.",
        "ar": "قضية خيالية — بيانات تجريبية مصطنعة؛ لا أشخاص ولا أماكن ولا أحداث حقيقية.",
    },
    "generated": {"en": "Generated", "ar": "أُنشئ في"},
    "contents": {"en": "Contents", "ar": "المحتويات"},
    "summary": {"en": "Summary", "ar": "الملخص"},
    "timeline": {"en": "Timeline", "ar": "التسلسل الزمني"},
    "incidents": {"en": "Incidents", "ar": "الحوادث"},
    "acts": {
        "en": "Killings assessed, element by element",
        "ar": "عمليات القتل المُقيَّمة عنصراً عنصراً",
    },
    "aggregates": {"en": "Assessment per incident", "ar": "التقييم لكل حادثة"},
    "estimates": {"en": "Estimated number of victims", "ar": "العدد المقدَّر للضحايا"},
    "corroboration": {"en": "Corroboration of key claims", "ar": "تعزيز الادعاءات الرئيسية"},
    "sites": {"en": "Burial and crime sites", "ar": "مواقع الدفن ومسارح الجريمة"},
    "units": {"en": "Units", "ar": "الوحدات"},
    "suspects": {
        "en": "Suspects linked to acts through units (leads, not findings)",
        "ar": "مشتبه بهم مرتبطون بالأفعال عبر الوحدات (خيوط لا استنتاجات)",
    },
    "witnesses": {"en": "Witnesses", "ar": "الشهود"},
    "evidence": {"en": "Evidence cited", "ar": "الأدلة المستشهد بها"},
    "notes": {"en": "Limits of this report", "ar": "حدود هذا التقرير"},
    "map": {"en": "Map of incidents and sites", "ar": "خريطة الحوادث والمواقع"},
    "map_note": {
        "en": "Circles: incidents (area by best fatality figure); squares: sites.",
        "ar": "الدوائر: الحوادث (المساحة حسب أفضل تقدير للوفيات)؛ المربعات: المواقع.",
    },
    "chart_days": {
        "en": "Killings by day and place; reported fatalities per incident",
        "ar": "عمليات القتل حسب اليوم والمكان؛ الوفيات المبلغ عنها لكل حادثة",
    },
    "chart_estimates": {"en": "Estimates with 95% intervals", "ar": "التقديرات مع فترات ثقة 95٪"},
    "id": {"en": "Id", "ar": "المعرّف"},
    "date": {"en": "Date", "ar": "التاريخ"},
    "place": {"en": "Place", "ar": "المكان"},
    "event": {"en": "Event", "ar": "الحدث"},
    "actor": {"en": "Alleged perpetrator", "ar": "الجهة المتهمة"},
    "fatalities": {"en": "Fatalities low / best / high", "ar": "الوفيات: أدنى / أفضل / أعلى"},
    "precision": {"en": "Precision (date, place)", "ar": "الدقة (التاريخ، المكان)"},
    "victim": {"en": "Victim", "ar": "الضحية"},
    "element": {"en": "Element", "ar": "العنصر"},
    "finding": {"en": "Finding", "ar": "النتيجة"},
    "status": {"en": "Status", "ar": "الحالة"},
    "signed": {"en": "signed off by a second legal analyst", "ar": "صادق عليه محلل قانوني ثانٍ"},
    "draft": {"en": "draft — not yet reviewed", "ar": "مسودة — لم تُراجع بعد"},
    "suggested": {
        "en": "Suggested qualifications (for the legal team to decide; not a conclusion)",
        "ar": "توصيفات مقترحة (للفريق القانوني أن يقرر؛ ليست استنتاجاً)",
    },
    "attack": {
        "en": "Widespread or systematic attack (incident level)",
        "ar": "هجوم واسع النطاق أو منهجي (على مستوى الحادثة)",
    },
    "method": {"en": "Method", "ar": "الطريقة"},
    "observed": {"en": "Observed", "ar": "المرصود"},
    "estimate": {"en": "Estimate", "ar": "التقدير"},
    "not_estimable": {"en": "not estimable", "ar": "غير قابل للتقدير"},
    "at_least": {"en": "at least", "ar": "على الأقل"},
    "at_most": {"en": "at most", "ar": "على الأكثر"},
    "upper_not_estimable": {
        "en": "upper bound not estimable",
        "ar": "الحد الأعلى غير قابل للتقدير",
    },
    "lower_not_estimable": {
        "en": "lower bound not estimable",
        "ar": "الحد الأدنى غير قابل للتقدير",
    },
    "interval_not_estimable": {
        "en": "interval not estimable",
        "ar": "فترة الثقة غير قابلة للتقدير",
    },
    "interval": {"en": "95% interval", "ar": "فترة 95٪"},
    "not_for_publication": {
        "en": "NOT FOR PUBLICATION",
        "ar": "ليس للنشر",
    },
    "publication_allowed": {
        "en": "Published despite its gates; reason recorded by",
        "ar": "نُشر رغم شروط النشر؛ السبب سجّله",
    },
    "lists": {"en": "Lists", "ar": "القوائم"},
    "claim": {"en": "Claim", "ar": "الادعاء"},
    "groups": {"en": "Independent origins", "ar": "مصادر مستقلة"},
    "contra": {"en": "Contradicted by", "ar": "تناقضه"},
    "grades": {
        "en": "Admiralty grades (reliability A-F, credibility 1-6)",
        "ar": "درجات الأميرالية (الموثوقية A-F، المصداقية 1-6)",
    },
    "site_status": {"en": "Status history", "ar": "سجل الحالة"},
    "bodies": {
        "en": "Bodies estimated / recovered / identified",
        "ar": "الجثث: المقدرة / المستخرجة / المتعرف عليها",
    },
    "access": {"en": "Access", "ar": "الوصول"},
    "protection": {"en": "Protection", "ar": "الحماية"},
    "identified_victims": {"en": "Identified victims", "ar": "الضحايا المتعرف عليهم"},
    "parent": {"en": "Under", "ar": "تتبع"},
    "party": {"en": "Party", "ar": "الطرف"},
    "unit": {"en": "Unit", "ar": "الوحدة"},
    "rank": {"en": "Rank", "ar": "الرتبة"},
    "person": {"en": "Person", "ar": "الشخص"},
    "acts_col": {"en": "Acts", "ar": "الأفعال"},
    "sources": {"en": "Sources", "ar": "المصادر"},
    "kind": {"en": "Kind", "ar": "النوع"},
    "title": {"en": "Title", "ar": "العنوان"},
    "label": {"en": "Citation", "ar": "الإحالة"},
    "assessors": {"en": "Assessed by / reviewed by", "ar": "قيّمه / راجعه"},
    "none": {"en": "None recorded.", "ar": "لا شيء مسجل."},
    "public_note": {
        "en": "Protected information (identities of witnesses and victims, contacts, addresses, team members, suspects' names, exact site coordinates, access and protection notes) is omitted from this public edition. Witnesses are numbered.",
        "ar": "حُذفت من هذه النسخة العامة المعلومات المحمية (هويات الشهود والضحايا، وبيانات الاتصال، والعناوين، وأعضاء الفريق، وأسماء المشتبه بهم، والإحداثيات الدقيقة للمواقع، وملاحظات الوصول والحماية). الشهود مرقّمون.",
    },
    "grouping": {"en": "Grouping", "ar": "التجميع"},
    "cites": {"en": "Evidence", "ar": "الأدلة"},
}

ELEMENT_AR = {
    "civilian": "مدني أو عاجز عن القتال",
    "deliberate": "متعمَّد",
    "identity": "استهداف على أساس الهوية",
    "party": "ارتباط الجاني بطرف",
    "nexus": "صلة بنزاع مسلح",
    "attack": "هجوم واسع النطاق أو منهجي",
}
QUALIFICATION_AR = {
    "War crime of murder": "جريمة حرب: القتل العمد",
    "Murder as a crime against humanity": "القتل العمد كجريمة ضد الإنسانية",
    "Persecution as a crime against humanity": "الاضطهاد كجريمة ضد الإنسانية",
}


def aggregate_sentence(a: dict[str, object], lang: str) -> str:
    if lang != "ar":
        return str(a["sentence"])
    return (
        f"{a['assessed']} أفعال مُقيَّمة؛ {a['deliberate']} متعمَّدة؛ "
        f"{a['identity']} استهدفت الضحية لهويتها؛ {a['unlawful']} غير مشروعة"
    )


FINDING_AR = {
    "established": "ثابت",
    "likely": "مرجّح",
    "insufficient": "غير كافٍ",
    "contradicted": "مُناقَض",
    "not assessed": "لم يُقيَّم",
}


def translator(lang: str) -> dict[str, str]:
    if lang not in LANGS:
        raise ValueError(lang)
    return {k: v[lang] for k, v in STRINGS.items()}
