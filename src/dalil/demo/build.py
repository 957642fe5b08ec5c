"""Build the fictional demo case end to end through the real service functions.

init → users → ingest sources and testimonies → witnesses, victims, suspects, units →
incidents (coded) and acts → compare the news rewrites with the NGO release → link the
victim lists → estimate the total → assess every act (one legal analyst) and sign off
(another) → sites → corroboration claims → internal and public reports.

A capability that is not installed is skipped with a printed note; everything else
fails loudly. Everything built is FICTIONAL (see :mod:`dalil.demo.story`).
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from dalil.demo import story as S
from dalil.display import csvout
from dalil.errors import InputError

DEMO_PASSPHRASE = "fictional-demo-passphrase-marjan-2021"
MARKER = "FICTIONAL-DEMO-CASE.txt"
SOURCE_KIND = {
    "report": "report",
    "news": "article",
    "statement": "statement",
    "testimony": "testimony",
    "forensic": "official",
}


@dataclass
class DemoResult:
    root: Path
    case_dir: Path
    passphrase_from_env: bool
    reports: dict[str, Path] = field(default_factory=dict)
    steps: list[tuple[str, str]] = field(default_factory=list)  # (step, what happened)
    users: dict[str, str] = field(default_factory=dict)  # name -> password (fictional demo users)
    counts: dict[str, int] = field(default_factory=dict)


def _step(res: DemoResult, say: Callable[[str], None], name: str, note: str) -> None:
    res.steps.append((name, note))
    say(f"  {name:<12} {note}")


def build(
    root: Path, *, size: str = "small", say: Callable[[str], None] = print, pdf: bool = True
) -> DemoResult:
    """Build the demo under *root* (created; must be absent or empty)."""
    from dalil.core.case import Case
    from dalil.model.provenance import WITNESS_ROLE
    from dalil.services import persons, records, users
    from dalil.services.evidence import add_bytes
    from dalil.services.sources import add_source

    if size not in ("small", "full"):
        raise InputError("--size must be small or full")
    root = Path(root)
    if root.exists() and any(root.iterdir()):
        raise InputError(f"{root} is not empty: choose a new --dir (or remove the old demo)")
    env_pass = os.environ.get("DALIL_PASSPHRASE") or None
    passphrase = env_pass or DEMO_PASSPHRASE
    root.mkdir(parents=True, exist_ok=True)
    (root / MARKER).write_text(
        "This folder holds dalil's FICTIONAL demo case. Every person, place, organisation and "
        "event in it is invented; nothing describes a real case.\n",
        encoding="utf-8",
    )
    inputs, outputs, reports = root / "inputs", root / "outputs", root / "reports"
    for d in (inputs / "sources", inputs / "lists", outputs, reports):
        d.mkdir(parents=True, exist_ok=True)
    res = DemoResult(root, root / "case", env_pass is not None)
    t0 = time.perf_counter()

    case = Case.init(
        res.case_dir,
        passphrase,
        admin="coord",
        title=f"Killings in {S.TOWN}, 14-15 April 2021 (fictional demo case)",
        summary="\n\n".join(S.SUMMARY),
    )
    try:
        _step(res, say, "init", f"case at {res.case_dir} (admin user 'coord')")
        with case.act() as ctx:
            admin_pw = "demo-coord-fictional"
            users.update_user(ctx, "coord", password=admin_pw)  # the admin signs in too
            res.users["coord"] = admin_pw
            for name, role, _display in S.USERS:
                pw = f"demo-{name}-fictional"
                users.add_user(ctx, name, role, pw)
                res.users[name] = pw
        _step(res, say, "users", ", ".join(f"{n} ({r})" for n, r, _ in S.USERS))

        # --- sources and evidence --------------------------------------------------
        src_id: dict[str, int] = {}
        ev_id: dict[str, int] = {}
        for t in S.TEXTS:
            path = inputs / "sources" / t.filename
            path.write_text(S.text(t.filename), encoding="utf-8")
            out = add_source(
                case,
                "nadia",
                path,
                sensitive=t.kind == "testimony",
                kind=SOURCE_KIND[t.kind],
                title=t.title,
                publisher=t.publisher,
                published=t.on.isoformat(),
                language="en",
            )
            src_id[t.key] = out["source"]["id"]
            ev_id[t.key] = out["evidence"]["id"]
        with case.act("nadia") as ctx:
            media = records.add(
                ctx,
                "source",
                kind="media",
                title="Photographs of the scenes (fictional placeholders)",
                publisher="Marjan Documentation Centre (fictional NGO)",
                published="2021-04-20",
            )
        nadia = case.actor("nadia")
        for i in range(1, 33):
            key = f"photo-{i:02d}"
            item = add_bytes(
                case,
                nadia,
                f"FICTIONAL placeholder for photograph {i:02d} of dalil's demo case\n".encode(),
                name=f"{key}.txt",
                source_id=media.id,
                media_type="text/plain",
            )
            ev_id[key] = item.item.id
        for key in ("photo-site-1",):
            ev_id[key] = add_bytes(
                case,
                nadia,
                b"FICTIONAL placeholder: photograph of the olive press field\n",
                name=f"{key}.txt",
                source_id=media.id,
                media_type="text/plain",
            ).item.id
        _step(
            res,
            say,
            "ingest",
            f"{len(S.TEXTS)} sources (testimonies marked sensitive) and {33} photo placeholders into the vault",
        )

        # --- people, units ---------------------------------------------------------
        person_id: dict[str, int] = {}
        with case.act("nadia") as ctx:
            for w in S.WITNESSES:
                p = persons.add_person(
                    ctx,
                    pseudonym=w.pseudonym,
                    sex="female" if w.sex == "F" else "male",
                    roles=["witness"],
                    legal_name=w.legal_name,
                    contact=w.contact,
                    exact_address=w.address,
                    identity_group=w.identity_group,
                )
                person_id[f"W-{w.key}"] = p.id
                records.add(
                    ctx,
                    "provenance",
                    subject_kind="person",
                    subject_id=str(p.id),
                    source_id=str(src_id[f"t_{w.key}"]),
                    role=WITNESS_ROLE,
                    locator="testimony",
                )
            vs = {v.key: v for v in S.victims(size)}
            for a in S.acts(size):
                v = vs[a.victim]
                p = persons.add_person(
                    ctx,
                    pseudonym=v.key,
                    sex="female" if v.female else "male",
                    age=v.age,
                    roles=["victim"],
                    legal_name=v.latin(),
                    aliases=[v.arabic()],
                    identity_group="Nahrani",
                )
                person_id[v.key] = p.id
            unit_id: dict[str, int] = {}
            for uid, name, parent, party in S.UNITS:
                kind = {
                    "state forces": "state_force",
                    "affiliated militia": "militia",
                    "armed group": "armed_group",
                }[party]
                u = records.add(
                    ctx,
                    "unit",
                    name=name,
                    kind="unit" if uid == "U-CSB-2" else kind,
                    parent_id=str(unit_id[parent]) if parent else None,
                )
                unit_id[uid] = u.id
            for sp in S.SUSPECTS:
                p = persons.add_person(
                    ctx,
                    pseudonym=f"Suspect {sp.alias}",
                    roles=["suspect"],
                    legal_name=sp.legal_name,
                    aliases=[sp.arabic_name, sp.alias],
                )
                person_id[f"S-{sp.key}"] = p.id
                m = records.add(
                    ctx,
                    "membership",
                    person_id=str(p.id),
                    organization_id=str(unit_id[sp.unit]),
                    rank=sp.rank,
                    date_start=sp.start.isoformat(),
                )
                records.add(
                    ctx,
                    "provenance",
                    subject_kind="membership",
                    subject_id=str(m.id),
                    evidence_id=str(ev_id["t_nizar"]),
                    role="supports",
                )
        _step(
            res,
            say,
            "people",
            f"{len(S.WITNESSES)} witnesses (pseudonyms; identities encrypted), "
            f"{len(S.acts(size))} victims, {len(S.SUSPECTS)} suspects, {len(S.UNITS)} units",
        )

        # --- incidents, coding, acts -----------------------------------------------
        from dalil.services import assessments, coding, corroboration, estimates, sites

        inc_id: dict[str, int] = {}
        with case.act("nadia") as ctx:
            for (
                key,
                title,
                _ev,
                _sub,
                _civ,
                _actor,
                d0,
                d1,
                place,
                _geo,
                lo,
                best,
                hi,
                _srcs,
            ) in S.INCIDENTS:
                lat, lon = S.PLACES[place]
                i = records.add(
                    ctx,
                    "incident",
                    title=title,
                    incident_type="attack" if key == "INC-CHECKPOINT" else "mass_killing",
                    date_start=d0.isoformat(),
                    date_end=d1.isoformat() if d1 != d0 else None,
                    place_name=f"{place}, {S.TOWN}",
                    lat=lat,
                    lon=lon,
                    coord_precision="locality",
                    fatalities_low=str(lo),
                    fatalities_best=str(best),
                    fatalities_high=str(hi),
                )
                inc_id[key] = i.id
            for (
                key,
                _t,
                ev,
                sub,
                civ,
                actor,
                _d0,
                _d1,
                _place,
                geo,
                _lo,
                _best,
                _hi,
                srcs,
            ) in S.INCIDENTS:
                coding.set_coding(
                    ctx,
                    inc_id[key],
                    event_type=ev,
                    sub_event_type=sub,
                    civilian_targeting=civ,
                    actor1=actor,
                    actor2="Civilians (Nahrani community, fictional)"
                    if civ
                    else "Government forces (fictional)",
                    country=S.COUNTRY,
                    admin1=S.ADMIN1,
                    admin2="Marjan district (fictional)",
                    geo_precision=geo,
                    fatality_sources={k: [str(ev_id[s]) for s in v] for k, v in srcs.items()},
                )
            act_id: dict[str, int] = {}
            for a in S.acts(size):
                row = records.add(
                    ctx,
                    "act",
                    incident_id=str(inc_id[a.incident]),
                    victim_id=str(person_id[a.victim]),
                    act_type="killing",
                    method=a.method,
                    date=a.day.isoformat(),
                    perpetrator_affiliation="Coastal Shield Brigade (fictional)",
                    perpetrator_unit_id=str(unit_id["U-CSB-2"]),
                    status="confirmed",
                )
                act_id[a.key] = row.id
                for e in a.evidence:
                    records.add(
                        ctx,
                        "provenance",
                        subject_kind="act",
                        subject_id=str(row.id),
                        evidence_id=str(ev_id[e]),
                        role="supports",
                    )
        _step(
            res,
            say,
            "incidents",
            f"{len(S.INCIDENTS)} incidents coded for ACLED/UCDP; {len(act_id)} killings recorded",
        )

        # --- compare the rewrites ---------------------------------------------------
        try:
            from dalil.sources.compare import compare, load_document
        except ImportError:
            _step(
                res,
                say,
                "compare",
                "skipped: source verification (dalil.sources.compare) not installed",
            )
        else:
            from dalil.display.jsonout import dumps

            ngo = load_document(inputs / "sources" / "ngo_release.txt", doc_date="2021-05-02")
            notes = []
            for t in S.TEXTS:
                if t.key.startswith("news"):
                    doc = load_document(inputs / "sources" / t.filename, doc_date=t.on.isoformat())
                    result = compare(ngo, doc)
                    data = (
                        result
                        if isinstance(result, dict)
                        else getattr(result, "to_dict", lambda r=result: r)()
                    )
                    (outputs / f"compare-ngo-{t.key}.json").write_text(
                        dumps(data), encoding="utf-8"
                    )
                    q = (
                        [x.get("status") for x in data.get("quotes", [])]
                        if isinstance(data, dict)
                        else []
                    )
                    notes.append(f"{t.key}: quotes {', '.join(str(s) for s in q) or 'none'}")
            _step(
                res,
                say,
                "compare",
                "NGO release vs news rewrites → outputs/compare-*.json (" + "; ".join(notes) + ")",
            )

        # --- victim lists, linkage, estimate ----------------------------------------
        lists, truth_rows, how = demo_lists(size)
        list_files = []
        for name, rows in lists.items():
            path = inputs / "lists" / f"{name}.csv"
            cols = [c for c in rows[0] if c != "true_id"] if rows else ["record_id"]
            with path.open("w", encoding="utf-8", newline="") as f:
                writer = csvout.DictWriter(f, fieldnames=cols, extrasaction="ignore")
                writer.writeheader()
                writer.writerows(rows)
            list_files.append(path)
        with (outputs / "lists-truth.csv").open("w", encoding="utf-8", newline="") as f:
            csvout.writer(f).writerows([("record_id", "true_victim"), *truth_rows])
        _step(
            res,
            say,
            "lists",
            f"{len(lists)} victim lists, {sum(len(v) for v in lists.values())} records ({how})",
        )
        list_ev: list[int] = []
        for (_name, _p, _script, title), path in zip(S.LIST_SPECS, list_files, strict=True):
            out = add_source(
                case,
                "sami",
                path,
                kind="list",
                title=f"{title}: {path.name}",
                published="2021-05-15",
            )
            list_ev.append(out["evidence"]["id"])
        res.counts["list_records"] = sum(len(v) for v in lists.values())
        histories = None
        try:
            from dalil.linkage.link import link_files
        except ImportError:
            _step(
                res,
                say,
                "link",
                "skipped: linkage (dalil.linkage.link) not installed; using the lists' ground truth for the estimate",
            )
            clusters = {rid: tid for rid, tid in truth_rows}
        else:
            link_files(list_files, outputs / "clusters.csv", progress=None)
            with (outputs / "clusters.csv").open(encoding="utf-8") as f:
                clusters = {r["record_id"]: r["cluster_id"] for r in csv.DictReader(f)}
            n_clusters = len(set(clusters.values()))
            truth = dict(truth_rows)
            true_n = len(set(truth.values()))
            _step(
                res,
                say,
                "link",
                f"{len(clusters)} list records → {n_clusters} people (truth: {true_n}) → outputs/clusters.csv",
            )
        # capture histories: one row per person, one 0/1 column per list
        record_list = {r["record_id"]: name for name, rows in lists.items() for r in rows}
        people: dict[str, set[str]] = {}
        for rid, cid in clusters.items():
            lst = record_list.get(rid) or record_list.get(rid.split(":", 1)[-1])
            if lst:
                people.setdefault(cid, set()).add(lst)
        names = list(lists)
        histories = outputs / "histories.csv"
        with histories.open("w", encoding="utf-8", newline="") as f:
            w2 = csvout.writer(f)
            w2.writerow(names)
            for ls in people.values():
                w2.writerow([1 if n in ls else 0 for n in names])
        try:
            from dalil.estimate.api import estimate
        except ImportError:
            _step(res, say, "estimate", "skipped: estimation (dalil.estimate) not installed")
        else:
            est = estimate(histories, method="loglinear", criterion="bic")
            data = est.to_dict()
            (outputs / "estimate.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
            with case.act("sami") as ctx:
                estimates.record_estimate(
                    ctx,
                    f"Victims in the Marjan district, 13-15 April 2021 ({len(names)} lists)",
                    data,
                    evidence=[str(e) for e in list_ev],
                    note="Multiple systems estimation from four overlapping fictional lists.",
                )
            lo, hi = data["ci"]
            _step(
                res,
                say,
                "estimate",
                f"{data['observed']} observed → {data['estimate']:.0f} estimated (95% {lo:.0f}-{hi:.0f}; {data['model']}; truth {len(set(t for _, t in truth_rows))})",
            )

        # --- assessments -------------------------------------------------------------
        with case.act(S.ASSESSOR) as ctx:
            for a in S.acts(size):
                for el, (finding, cited, note) in a.findings.items():
                    assessments.assess(
                        ctx, act_id[a.key], el, finding, [str(ev_id[e]) for e in cited], note
                    )
            for inc in ("INC-HARBOUR", "INC-OLIVE"):
                assessments.assess_incident(
                    ctx,
                    inc_id[inc],
                    "attack",
                    "likely",
                    [str(ev_id[e]) for e in ("ngo", "monitor", "t_nizar")],
                    "pattern across two neighbourhoods; stated aim to 'clean the town'",
                )
        signed = 0
        with case.act(S.REVIEWER) as ctx:
            for a in S.acts(size):
                if a.signed:
                    assessments.sign_off(
                        ctx, act_id[a.key], "reviewed against the testimonies and photographs"
                    )
                    signed += 1
            aggs = assessments.aggregates(ctx)
        _step(
            res,
            say,
            "assess",
            f"{len(act_id)} acts assessed by {S.ASSESSOR}, {signed} signed off by {S.REVIEWER}; "
            + " | ".join(f"{a['title']}: {a['sentence']}" for a in aggs if a["assessed"]),
        )

        # --- sites -------------------------------------------------------------------
        with case.act("nadia") as ctx:
            for site in S.SITES:
                lat, lon = S.PLACES[site["place"]]
                srow = records.add(
                    ctx,
                    "site",
                    name=site["name"],
                    site_type=site["kind"],
                    status="reported",
                    place_name=f"{site['place']}, {S.TOWN}",
                    lat=lat,
                    lon=lon,
                    coord_precision="exact",
                    estimated_bodies=str(site["estimated"]),
                    incident_id=str(inc_id[site["incidents"][0]]),
                    access_notes=site["access"],
                )
                for status, on, ev in site["history"]:
                    sites.site_status(
                        ctx,
                        srow.id,
                        status,
                        on.isoformat(),
                        evidence=[str(ev_id[ev])] if ev else [],
                    )
                sites.site_details(
                    ctx, srow.id, recovered=site["recovered"], protection=site["protection"]
                )
                if site["key"] == "SITE-CEMETERY":
                    for a in [a for a in S.acts(size) if a.incident == "INC-HARBOUR"][:7]:
                        sites.site_link_victim(
                            ctx, srow.id, person_id[a.victim], [str(ev_id["forensic"])]
                        )
        _step(
            res,
            say,
            "sites",
            f"{len(S.SITES)} sites with status history (one exhumed, one secured)",
        )

        # --- corroboration -------------------------------------------------------------
        with case.act("sami") as ctx:
            claim_id = {}
            for cid, kind, text, place, day0, day1, lo2, hi2 in S.CLAIMS:
                claim_id[cid] = corroboration.add_claim(
                    ctx, kind, text, place=place, date_start=day0, date_end=day1, low=lo2, high=hi2
                )
            for cid, skey, grade, stance in S.CARRIERS:
                corroboration.add_carrier(
                    ctx,
                    claim_id[cid],
                    src_id[skey],
                    grade,
                    stance=stance,
                    evidence=str(ev_id[skey]),
                )
        with case.act(
            "lina"
        ) as ctx:  # legal analysts may read sensitive testimony texts for the graph
            m = corroboration.corroboration(ctx)
        (outputs / "corroboration.json").write_text(
            json.dumps(m, indent=2, ensure_ascii=False), encoding="utf-8"
        )
        statuses = "; ".join(f"{r['claim']['text'][:40]}…: {r['status']}" for r in m["claims"])  # type: ignore[attr-defined]
        _step(res, say, "corroborate", f"grouping by {m['grouping']}; {statuses}")

        # --- reports -----------------------------------------------------------------------
        from dalil.services.reports import build_report

        wanted = [("internal", "html", "en"), ("public", "html", "en"), ("public", "html", "ar")]
        if pdf:
            wanted += [("internal", "pdf", "en"), ("public", "pdf", "en"), ("public", "pdf", "ar")]
        for audience, fmt, lang in wanted:
            out_path = reports / f"{audience}-{lang}.{fmt}"
            build_report(
                case,
                S.REVIEWER,
                audience=audience,
                fmt=fmt,
                out=out_path,
                lang=lang,
                fictional=True,
            )  # title and summary: the case's (case.toml)
            res.reports[f"{audience}-{lang}.{fmt}"] = out_path
        _step(res, say, "report", f"{len(wanted)} reports in {reports}")
    finally:
        case.close()
    res.counts["seconds"] = int(time.perf_counter() - t0)
    return res


#: The generator of the linkage engineer uses days in March 2025; the demo story is set on
#: 13-15 April 2021. Every date in the lists moves by the same number of days.
_SHIFT_DAYS = (date(2021, 4, 14) - date(2025, 3, 7)).days


def _shift(row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    for k in ("date_of_death", "birth_date"):
        v = out.get(k)
        if isinstance(v, str) and len(v) == 10 and v[4] == "-":
            with contextlib.suppress(ValueError):
                out[k] = (date.fromisoformat(v) + timedelta(days=_SHIFT_DAYS)).isoformat()
    if str(out.get("birth_year") or "").isdigit():
        out["birth_year"] = str(int(out["birth_year"]) - 4)
    return out


def demo_lists(size: str) -> tuple[dict[str, list[dict[str, Any]]], list[tuple[str, str]], str]:
    """Four overlapping, differently spelled fictional victim lists and their ground truth.

    Uses the synthetic list generator of the linkage capability (``dalil.synth.lists``)
    with its dates moved to the story's days; falls back to the demo's own small
    generator when that is not installed.
    """
    people = 60 if size == "small" else 140
    try:
        from dalil.synth.lists import generate
    except ImportError:
        own = S.victim_lists(size)
        truth = [(r["record_id"], r["true_id"]) for rows in own.values() for r in rows]
        return own, truth, "the demo's own generator (dalil.synth.lists not installed)"
    syn = generate(people=people, lists=4, seed=2021)
    lists = {name: [_shift(r) for r in rows] for name, rows in syn.lists.items()}
    truth = [(t["record_id"], t["person_id"]) for t in syn.truth]
    return lists, truth, "dalil.synth.lists, dates moved to the story's days"
