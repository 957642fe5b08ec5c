"""Audit entries in words: what was done (not ``evidence.add``), on which record (a link,
not ``incident:1``), with which details (labels and words, not ``stored_new: True`` or
``derived_from: None``), at a time without microseconds.

The stored action code stays in a ``data-action`` attribute (for scripts and tests); the
audit filter still takes codes, offered as words in a list.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from markupsafe import Markup, escape

from dalil.web.context import N_
from dalil.web.forms import FIELD_LABELS, VOCAB

#: Record kinds as they appear in ``{kind}.add`` / ``{kind}.update`` and object ids.
_RECORD_ACTIONS: dict[str, tuple[str, str]] = {
    "incident": (N_("Incident added"), N_("Incident edited")),
    "act": (N_("Act added"), N_("Act edited")),
    "person": (N_("Person added"), N_("Person edited")),
    "site": (N_("Site added"), N_("Site edited")),
    "unit": (N_("Unit added"), N_("Unit edited")),
    "membership": (N_("Membership added"), N_("Membership edited")),
    "provenance": (N_("Provenance link added"), N_("Provenance link edited")),
    "source": (N_("Source added"), N_("Source edited")),
}

#: Other kinds that are retracted and restored.
_MORE_RETRACTABLE = ("evidence", "list", "list_record")

#: Action codes -> what happened, in words (msgids).
ACTIONS: dict[str, str] = {
    **{f"{k}.add": add for k, (add, _edit) in _RECORD_ACTIONS.items()},
    **{f"{k}.update": edit for k, (_add, edit) in _RECORD_ACTIONS.items()},
    **{f"{k}.retract": N_("Record retracted") for k in (*_RECORD_ACTIONS, *_MORE_RETRACTABLE)},
    **{
        f"{k}.restore": N_("Retracted record restored")
        for k in (*_RECORD_ACTIONS, *_MORE_RETRACTABLE)
    },
    "user.password_change": N_("Own password changed"),
    "access.denied": N_("Access refused"),
    "assessment.add": N_("Legal element assessed"),
    "assessment.signoff": N_("Assessment signed off"),
    "audit.timestamp": N_("Audit log timestamped"),
    "case.backup": N_("Case backed up"),
    "case.init": N_("Case created"),
    "case.rollback_accepted": N_("Restored backup accepted"),
    "case.update": N_("Case details edited"),
    "claim.add": N_("Claim recorded"),
    "claim.source": N_("Source of a claim recorded"),
    "estimate.publish": N_("Estimate allowed for publication"),
    "estimate.record": N_("Estimate recorded"),
    "evidence.add": N_("Evidence added"),
    "evidence.fixity": N_("Files checked for fixity"),
    "evidence.get": N_("Evidence opened"),
    "evidence.media": N_("Media analysed"),
    "evidence.ocr": N_("Text read from an image"),
    "evidence.read": N_("Evidence read"),
    "evidence.reveal_location": N_("Location of evidence revealed"),
    "evidence.same_media": N_("Same-media decision"),
    "evidence.transcript": N_("Transcript corrected"),
    "evidence.update": N_("Evidence details edited"),
    "evidence.view": N_("Evidence viewed"),
    "export.bag": N_("Evidence bag exported"),
    "export.bag_failed": N_("Evidence bag export failed"),
    "export.records": N_("Records exported"),
    "incident.code": N_("Incident coded"),
    "incident.export": N_("Incidents exported"),
    "job.cancel": N_("Job cancelled"),
    "job.file_get": N_("Job file downloaded"),
    "job.submit": N_("Job started"),
    "keys.passphrase_change": N_("Passphrase changed"),
    "keys.recover": N_("Key recovered from shares"),
    "keys.split": N_("Key split into shares"),
    "linkage.blind_close": N_("Blind double review closed"),
    "linkage.blind_start": N_("Pairs put in blind double review"),
    "linkage.blind_vote": N_("Blind vote cast"),
    "linkage.decide": N_("Pair of records decided"),
    "linkage.reveal": N_("Names shown for review"),
    "linkage.review_end": N_("Review session ended"),
    "linkage.review_start": N_("Review session started"),
    "linkage.run": N_("Linkage run"),
    "linkage.split": N_("Records split from a cluster"),
    "linkage.undo": N_("Pair decision undone"),
    "list.import": N_("Victim list imported"),
    "person.reveal": N_("Protected fields revealed"),
    "person.search_protected": N_("Protected names searched"),
    "report.build": N_("Report built"),
    "site.details": N_("Site details recorded"),
    "site.status": N_("Site status changed"),
    "site.victim": N_("Victim linked to a site"),
    "sources.compare": N_("Sources compared"),
    "sources.graph": N_("Source graph drawn"),
    "user.add": N_("User added"),
    "user.lock": N_("Account locked"),
    "user.login": N_("Signed in"),
    "user.login_failed": N_("Sign-in refused"),
    "user.login_totp": N_("Signed in with a second factor"),
    "user.login_totp_failed": N_("Second factor refused"),
    "user.sessions_end": N_("Sessions ended"),
    "user.token_issue": N_("API token issued"),
    "user.token_revoke": N_("API tokens revoked"),
    "user.totp_disable": N_("Second factor turned off"),
    "user.totp_enable": N_("Second factor turned on"),
    "user.unlock": N_("Account unlocked"),
    "user.update": N_("User changed"),
    "vetting.screen": N_("Personnel screened"),
}

#: Object id prefixes (``incident:1``) -> (kind word, web path or None).
OBJECT_KINDS: dict[str, tuple[str, str | None]] = {
    "incident": (N_("Incident"), "/incidents"),
    "act": (N_("Act"), "/acts"),
    "person": (N_("Person"), "/persons"),
    "site": (N_("Site"), "/sites"),
    "unit": (N_("Unit"), "/units"),
    "membership": (N_("Membership"), "/memberships"),
    "provenance": (N_("Provenance link"), "/provenance"),
    "source": (N_("Source"), "/sources"),
    "evidence": (N_("Evidence item"), "/evidence"),
    "job": (N_("Job"), "/jobs"),
    "list": (N_("Victim list"), None),
    "estimate": (N_("Estimate"), None),
    "user": (N_("User"), None),
    "token": (N_("API token"), None),
    "case": (N_("Case"), None),
    "claim": (N_("Claim"), None),
    "list_record": (N_("List record"), None),
    "review_session": (N_("Review session"), None),
    "blind_pair": (N_("Pair in blind review"), "/lists/pairs"),
    "blind_vote": (N_("Blind vote"), None),
}

#: Detail keys that are not record fields -> labels (msgids).
DETAIL_LABELS: dict[str, str] = {
    "after": N_("After"),
    "decided_by": N_("Decided by"),
    "outcome": N_("Outcome"),
    "previous": N_("Previous decision"),
    "review_session": N_("Review session"),
    "votes": N_("Votes"),
    "backend": N_("Engine"),
    "before": N_("Before"),
    "c2pa": N_("Content credentials"),
    "element": N_("Element"),
    "evidence": N_("Evidence"),
    "fields": N_("Fields"),
    "finding": N_("Finding"),
    "has_gps": N_("GPS position"),
    "job": N_("Job"),
    "keyframes": N_("Key frames"),
    "model": N_("Model"),
    "on": N_("Date"),
    "page": N_("Page"),
    "pairs": N_("Pairs"),
    "permission": N_("Permission needed"),
    # a comparison of two sources (sources.compare) and the copying graph (sources.graph)
    "direction": N_("How the texts relate"),
    "containment": N_("Share of the text reused"),
    "quotes": N_("Quotations"),
    "additions": N_("Additions"),
    "omissions": N_("Omissions"),
    "files": N_("Texts pasted in"),
    "documents": N_("Documents"),
    "edges": N_("Copying links"),
    "skipped": N_("Left out"),
    "items": N_("Items read"),
    "possible_duplicates": N_("Possible duplicates"),
    "publication_ok": N_("Publishable"),
    "range": N_("Byte range"),
    "reason": N_("Reason"),
    "retracted_by": N_("Retracted by"),
    "retraction_reason": N_("Reason for the retraction"),
    "dependants": N_("Dependent records, with it"),
    "was_required": N_("Asked for after an admin's reset"),
    "records": N_("Records"),
    "rejected": N_("Rejected"),
    "repaired": N_("Repaired"),
    "rows": N_("Rows"),
    "lists": N_("Lists"),
    "stored_new": N_("New file in the vault"),
    "verdict": N_("Decision"),
    "via": N_("Seen through"),
    "height": N_("Height"),
    # names on victim lists (shown in the review queue with a reason)
    "full_name": N_("Full name"),
    "first_name": N_("First name"),
    "father_name": N_("Father's name"),
    "grandfather_name": N_("Grandfather's name"),
    "family_name": N_("Family name"),
    "mother_name": N_("Mother's name"),
    # media metadata
    "capture_time": N_("Taken at"),
    "device": N_("Device"),
    "duration": N_("Duration"),
    "codecs": N_("Codecs"),
    "gps": N_("Location (GPS)"),
    # job results (linkage, fixity)
    "accept": N_("accepted"),
    "reject": N_("rejected"),
    "checked": N_("Items checked"),
    "intact": N_("Items intact"),
    "unreferenced": N_("Stored files no record refers to"),
    "temp_removed": N_("Left-over temporary files removed"),
    "corrupt": N_("Damaged"),
    "missing": N_("Missing"),
    "ok": N_("All intact"),
    "decisions_applied": N_("Earlier decisions applied"),
    "fields_not_in_model": N_("Fields the model could not use"),
    "held_for_review": N_("Pairs held for review"),
    "incompatible_joins": N_("Joins refused as incompatible"),
    "incremental": N_("Only new records linked"),
    "joined_recorded_victims": N_("Recorded victims joined"),
    "joins_refused_by_rejections": N_("Joins refused by earlier rejections"),
    "pairs_explained": N_("Pairs explained by the run"),
    "same_list_joins": N_("Joins refused: two records of one list not linked to each other"),
    "persons_created": N_("Persons created"),
    "persons_updated": N_("Persons updated"),
    "persons_without_records": N_("Persons left without list records"),
    "recorded_victims_compared": N_("Recorded victims compared"),
    "records_unlinked_retracted": N_("Retracted list records unlinked"),
    "review_queue": N_("Pairs waiting for review"),
    "threshold": N_("Match threshold"),
    "victim_decision_conflicts": N_("Conflicts with decisions on victims"),
    "victim_matches_proposed": N_("Matches with recorded victims proposed"),
    "victims": N_("Victims"),
    # job results (evidence bag, report, media, OCR, source text)
    "audit_entries": N_("Audit entries"),
    "custody_entries": N_("Custody entries"),
    "custody_manifest": N_("Custody manifest"),
    "chain": N_("Entries in the chained log"),
    "checkpoints": N_("Checkpoints"),
    "entries": N_("Entries"),
    "timestamps": N_("Timestamps"),
    "file": N_("File"),
    "size": N_("Size"),
    "include_protected": N_("Protected fields included"),
    "valid": N_("Valid"),
    "withheld_sensitive": N_("Sensitive items withheld"),
    "act": N_("Acts"),
    "acts": N_("Acts"),
    "incident": N_("Incidents"),
    "incidents": N_("Incidents"),
    "membership": N_("Memberships"),
    "person": N_("Persons"),
    "provenance": N_("Provenance entries"),
    "site": N_("Sites"),
    "unit": N_("Units"),
    "source": N_("Source"),
    "audience": N_("Audience"),
    "format": N_("Format"),
    "lang": N_("Language"),
    "item": N_("Item"),
    "ocr": N_("Text recognition (OCR)"),
    "engine": N_("Engine"),
    "version": N_("Version"),
    "languages": N_("Languages read"),
    "dpi": N_("Resolution (dots per inch)"),
    "mean_confidence": N_("Mean confidence"),
    "confidence": N_("Confidence"),
    "pages": N_("Pages"),
    "rotated": N_("Turned by (degrees)"),
    "words": N_("Words read"),
    "text": N_("Extracted text"),
    "text_error": N_("Why no text was extracted"),
    "ingested_at": N_("Added to the vault"),
    "ingested_by": N_("Added by"),
    "width": N_("Width"),
    "mime_type": N_("Media type"),
}

#: Assessment elements (detail ``element``) -> words.
ELEMENTS: dict[str, str] = {
    "civilian": N_("civilian / hors de combat"),
    "deliberate": N_("deliberate"),
    "identity": N_("identity-targeted"),
    "party": N_("linked to a party"),
    "nexus": N_("conflict nexus"),
    "widespread": N_("widespread or systematic attack"),
}

#: Codes shown on pages beyond the record vocabulary (``forms.VOCAB``) -> words.
MORE_WORDS: dict[str, str] = {
    "original": N_("original"),
    "text": N_("extracted text"),
    "ocr": N_("read from the image (OCR)"),
    "correction": N_("correction"),
    # how a user signed in, and through which door an item was viewed
    "password": N_("password"),
    "totp": N_("second factor"),
    "web": N_("the workbench"),
    # claim kinds (dalil.findings.corroboration.CLAIM_KINDS)
    "toll": N_("death toll"),
    "attribution": N_("attribution"),
    "method": N_("method"),
}

#: Permissions (detail ``permission`` of a refusal, ``access.denied``) -> what they allow.
PERMISSION_WORDS: dict[str, str] = {
    "case.read": N_("read the case's records"),
    "case.file": N_("change the case's own details"),
    "record.write": N_("add and edit records"),
    "evidence.add": N_("add evidence"),
    "evidence.read": N_("read evidence"),
    "evidence.read_sensitive": N_("read sensitive evidence"),
    "protected.reveal": N_("reveal protected fields"),
    "analysis.run": N_("run the linkage and the estimates"),
    "linkage.reveal": N_("see the names of list records under review"),
    "linkage.decide": N_("decide linkage pairs"),
    "finding.assess": N_("assess legal elements"),
    "finding.signoff": N_("sign off assessments"),
    "report.internal": N_("build internal reports"),
    "report.public": N_("build public reports"),
    "export.records": N_("export records"),
    "export.bag": N_("export evidence bags"),
    "export.protected": N_("export protected fields and sensitive evidence"),
    "audit.read": N_("read the audit log"),
    "fixity.run": N_("check files for fixity"),
    "user.manage": N_("manage users"),
    "keys.manage": N_("manage the case's keys"),
}

#: Roles (detail ``role``) -> words (the users page's).
ROLE_WORDS: dict[str, str] = {
    "admin": N_("admin"),
    "investigator": N_("investigator"),
    "analyst": N_("analyst"),
    "legal": N_("legal"),
    "viewer": N_("viewer"),
}

#: Reasons the program itself gives when it reads evidence or reveals a field (detail
#: ``reason``; a user's own reason is shown as they typed it).
CODE_REASONS: dict[str, str] = {
    "sources.compare": N_("comparing two sources"),
    "sources.graph": N_("tracing which sources copy one another"),
    "sources.reading": N_("reading a source in the workbench"),
    "corroboration: derivation graph": N_(
        "corroboration of claims: which sources copy one another"
    ),
    "internal report": N_("building the internal report"),
    "web download": N_("downloaded in the workbench"),
    "read transcript in the workbench": N_("transcript read in the workbench"),
}
#: ``vetting screening of personnel file <first 12 hex digits of its SHA-256>``.
_VETTING_REASON = re.compile(r"vetting screening of personnel file ([0-9a-f]{6,64})")
VETTING_REASON = N_("vetting screen of personnel file %(file)s")

#: How a compared text relates to the other (detail ``direction`` of ``sources.compare``).
DIRECTIONS: dict[str, str] = {
    "derivative_of_source": N_("the later text draws on the earlier"),
    "source_of_derivative": N_("the earlier text draws on the later"),
    "shared_origin": N_("both copy a common text"),
    "unrelated": N_("unrelated"),
}

#: A blind double review's outcome (detail ``outcome``).
OUTCOMES: dict[str, str] = {
    "open": N_("waiting for the second reviewer"),
    "agreed": N_("the two reviewers agreed"),
    "disputed": N_("the two reviewers disagreed"),
    "settled": N_("settled by a third reviewer"),
}

#: A report's settings (the report job's result, ``report.build``'s details) -> words.
AUDIENCES: dict[str, str] = {
    "internal": N_("internal, for the team"),
    "public": N_("public, for publication"),
}
FORMATS: dict[str, str] = {"html": N_("web page (HTML)"), "pdf": N_("PDF document")}
#: Languages by their codes: a report's (``lang``), and the OCR's (``languages``,
#: Tesseract's three-letter codes joined by ``+``).
LANGUAGE_WORDS: dict[str, str] = {
    "en": N_("English"),
    "ar": N_("Arabic"),
    "eng": N_("English"),
    "ara": N_("Arabic"),
}

#: Why a captured page has no text (``text_error`` of a web capture's page).
TEXT_ERRORS: dict[str, str] = {
    "the page's HTML is not in the capture": N_("the page's HTML is not in the capture"),
    "no text in the page": N_("no text in the page"),
}

#: Job kinds (detail ``kind`` of ``job.submit``) -> words.
JOB_KINDS: dict[str, str] = {
    "fixity": N_("Fixity check"),
    "bag": N_("Evidence bag export"),
    "media": N_("Media analysis"),
    "linkage": N_("Linkage run"),
    "report": N_("Report"),
    "vetting": N_("Vetting screen"),
    "estimate": N_("Estimate"),
    "ocr": N_("OCR"),
    "capture": N_("Web capture import"),
    "source_text": N_("Source text extraction"),
    "list_import": N_("Victim list import"),
    "list_check": N_("Victim list check"),
    "histories": N_("Capture histories"),
}


def _words(t: gettext.NullTranslations) -> Callable[[str], str]:
    return t.gettext


def label(key: str, _: Callable[[str], str]) -> str:
    """A detail key or field name as a label in the user's language."""
    msgid = DETAIL_LABELS.get(key) or FIELD_LABELS.get(key)
    return _(msgid) if msgid else key.replace("_", " ")


def _plain(key: str, v: Any, _: Callable[[str], str]) -> Markup:
    """One detail value as words: a dash for nothing, yes/no, field names as labels,
    vocabulary codes as words, times without microseconds."""
    if v is None or v == "" or v == [] or v == {}:
        return Markup("—")
    if v is True or v is False:
        return Markup(escape(_("yes") if v else _("no")))
    if isinstance(v, list | tuple):
        return Markup(escape(_(", "))).join(_plain(key, x, _) for x in v)
    if isinstance(v, Mapping):
        return Markup(escape(_("; "))).join(
            Markup("{}: {}").format(label(str(k), _), _plain(str(k), x, _)) for k, x in v.items()
        )
    if key == "fields" and isinstance(v, str):
        return Markup(escape(label(v, _)))
    if key == "text_error" and v in TEXT_ERRORS:
        return Markup(escape(_(TEXT_ERRORS[v])))
    if key == "audience" and v in AUDIENCES:
        return Markup(escape(_(AUDIENCES[v])))
    if key == "format" and v in FORMATS:
        return Markup(escape(_(FORMATS[v])))
    if key == "lang" and v in LANGUAGE_WORDS:
        return Markup(escape(_(LANGUAGE_WORDS[v])))
    if key == "languages" and isinstance(v, str) and all(c in LANGUAGE_WORDS for c in v.split("+")):
        return Markup(escape(_(", ").join(_(LANGUAGE_WORDS[c]) for c in v.split("+"))))
    if key in ("media_type", "mime_type") and isinstance(v, str) and "/" in v:
        from dalil.web.capture_words import media_type_words

        return Markup(escape(media_type_words(v, _)))
    if key == "size" and isinstance(v, int) and not isinstance(v, bool):
        from dalil.web.capture_words import size_words

        return Markup('<bdi dir="auto">{}</bdi>').format(size_words(v, _))
    if key == "element" and v in ELEMENTS:
        return Markup(escape(_(ELEMENTS[v])))
    if key == "kind" and v in JOB_KINDS:
        return Markup(escape(_(JOB_KINDS[v])))
    if key == "permission" and v in PERMISSION_WORDS:
        return Markup(escape(_(PERMISSION_WORDS[v])))
    if key == "role" and v in ROLE_WORDS:
        return Markup(escape(_(ROLE_WORDS[v])))
    if key == "direction" and v in DIRECTIONS:
        return Markup(escape(_(DIRECTIONS[v])))
    if key == "outcome" and v in OUTCOMES:
        return Markup(escape(_(OUTCOMES[v])))
    if key == "reason" and isinstance(v, str):
        if v in CODE_REASONS:
            return Markup(escape(_(CODE_REASONS[v])))
        m = _VETTING_REASON.fullmatch(v)
        if m:
            return Markup(escape(_(VETTING_REASON))) % {
                "file": Markup('<bdi dir="ltr">{}…</bdi>').format(m.group(1)[:12])
            }
    if isinstance(v, str) and v in VOCAB:
        return Markup(escape(_(VOCAB[v])))
    if key in ("method", "via") and isinstance(v, str) and v in MORE_WORDS:
        return Markup(escape(_(MORE_WORDS[v])))
    if isinstance(v, str) and len(v) >= 19 and v[4:5] == "-" and v[10:11] == "T":
        from dalil.web.present import timestamp

        return Markup('<bdi dir="ltr">{}</bdi>').format(timestamp(v))
    if isinstance(v, datetime):
        from dalil.web.present import timestamp

        return Markup('<bdi dir="ltr">{}</bdi>').format(timestamp(v))
    if isinstance(v, str) and len(v) == 64 and all(c in "0123456789abcdef" for c in v):
        return Markup('<bdi dir="ltr" title="{}">{}…</bdi>').format(v, v[:12])
    return Markup('<bdi dir="auto">{}</bdi>').format(v)


def words_html(detail: Mapping[str, Any], _: Callable[[str], str]) -> Markup:
    """``label: value; …`` for a mapping of details (capture details, job results)."""
    return Markup(escape(_("; "))).join(
        Markup("{}: {}").format(label(str(k), _), _plain(str(k), v, _)) for k, v in detail.items()
    )


def make_globals(t: gettext.NullTranslations) -> dict[str, Any]:
    """Template globals for one language: ``audit_action``, ``audit_objects``,
    ``audit_detail``, ``audit_actions`` (for the filter)."""
    _ = _words(t)

    def audit_action(code: Any) -> Markup:
        code = str(code or "")
        msgid = ACTIONS.get(code)
        if msgid is None:
            return Markup('<code data-action="{}">{}</code>').format(code, code)
        return Markup('<span data-action="{}">{}</span>').format(code, _(msgid))

    def audit_object(obj: Any) -> Markup:
        text = str(obj)
        kind, sep, ident = text.partition(":")
        if not sep or kind not in OBJECT_KINDS:
            return Markup('<bdi dir="auto">{}</bdi>').format(text)
        word, path = OBJECT_KINDS[kind]
        shown = ident[:12] + "…" if len(ident) == 64 else ident
        inner = Markup('{} <bdi dir="ltr">{}</bdi>').format(_(word), shown)
        if path and ident not in ("self", ""):
            return Markup('<a href="{}/{}">{}</a>').format(path, ident, inner)
        return inner

    def audit_objects(objects: Any) -> Markup:
        if not objects:
            return Markup('<span class="muted">—</span>')
        if isinstance(objects, str):
            objects = [objects]
        return Markup(escape(_(", "))).join(audit_object(o) for o in objects)

    def audit_detail(detail: Any) -> Markup:
        if not detail or not isinstance(detail, Mapping):
            return Markup("")
        parts = []
        for k, v in detail.items():
            if k in ("sha256",):  # the object link already names the file
                continue
            parts.append(Markup("{}: {}").format(label(str(k), _), _plain(str(k), v, _)))
        return Markup(escape(_("; "))).join(parts)

    def audit_actions() -> list[tuple[str, str]]:
        return sorted(((code, _(m)) for code, m in ACTIONS.items()), key=lambda x: x[1])

    def word(code: Any) -> str:
        """A vocabulary code as a word (``mass_grave`` -> mass grave); nothing: a dash."""
        if code is None or code == "":
            return "—"
        msgid = VOCAB.get(code) or MORE_WORDS.get(code) if isinstance(code, str) else None
        return _(msgid) if msgid else str(code)

    def field_label(key: Any) -> str:
        return label(str(key), _)

    def field_value(key: Any, v: Any) -> Markup:
        return _plain(str(key), v, _)

    def audit_action_codes() -> frozenset[str]:
        return frozenset(ACTIONS)

    from dalil.web.linkage_words import FIELD_WORDS, LEVEL_WORDS, level_words

    def linkage_field(name: Any) -> Markup:
        """A field the linkage model compared, as a label (the pair view's words)."""
        name = str(name)
        if name in FIELD_WORDS:
            return Markup(escape(_(FIELD_WORDS[name])))
        return Markup('<bdi dir="ltr" lang="en">{}</bdi>').format(name)

    def linkage_level(level: Any) -> Markup:
        """The level a pair reached on a field, in words (:func:`level_words`: Splink's
        own ``Exact match on …`` levels say "same")."""
        level = str(level)
        words, params = level_words(level)
        if words != level or level in LEVEL_WORDS:
            return Markup(escape(_(words) % params if params else _(words)))
        return Markup('<bdi dir="ltr" lang="en">{}</bdi>').format(level)

    return {
        "linkage_field": linkage_field,
        "linkage_level": linkage_level,
        "audit_action_codes": audit_action_codes,
        "field_label": field_label,
        "word": word,
        "field_value": field_value,
        "audit_action": audit_action,
        "audit_objects": audit_objects,
        "audit_detail": audit_detail,
        "audit_actions": audit_actions,
    }
