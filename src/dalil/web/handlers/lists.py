"""Victim lists: import from an upload, review and decide pairs, link, capture
histories and the estimate built on them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dalil.display.jsonout import jsonable
from dalil.services import lists
from dalil.web.context import Ctx


def victim_lists(ctx: Ctx) -> list[dict[str, Any]]:
    with ctx.act(write=False) as sc:
        return [jsonable(x) for x in lists.list_lists(sc)]


def review_queue(
    ctx: Ctx, *, reason: str | None = None, limit: int = 50, order: str = "uncertainty"
) -> list[dict[str, Any]]:
    """Uncertain pairs, most uncertain first (*order* ``effect``: largest expected change
    of the estimate first); names only with a reason (logged)."""
    with ctx.act(write=reason is not None) as sc:
        return [jsonable(x) for x in lists.review(sc, reason=reason, limit=limit, order=order)]


def cluster_view(
    ctx: Ctx, person_id: int, *, query: str | None = None, reason: str | None = None
) -> dict[str, Any]:
    """A victim's list records and each link among them, field by field in words, and the
    victims offered for a merge (the *query*'s, or the review queue's). The names only
    with a *reason* (``lists cluster --reason``: ``linkage.reveal``, logged)."""
    from dalil.web.linkage_words import worded_link

    with ctx.act(write=reason is not None) as sc:
        view = dict(jsonable(lists.cluster_view(sc, person_id, reason=reason)))
        view["candidates"] = jsonable(lists.merge_candidates(sc, person_id, query=query))
    view["links"] = [worded_link(x) for x in view["links"]]
    return view


def split_cluster(
    ctx: Ctx, person_id: int, record_ids: list[int], note: str | None
) -> dict[str, Any]:
    """``lists split``: the records split off as decisions every later run keeps."""
    with ctx.act(write=True) as sc:
        return dict(jsonable(lists.split(sc, person_id, record_ids, note=note or None)))


def merge_clusters(ctx: Ctx, person_id: int, other_id: int, note: str | None) -> dict[str, Any]:
    """``lists merge``: two victims are one person, as decisions every later run keeps."""
    with ctx.act(write=True) as sc:
        return dict(jsonable(lists.merge(sc, person_id, other_id, note=note or None)))


def decide_pair(ctx: Ctx, pair: str, verdict: str, note: str | None) -> dict[str, Any]:
    with ctx.act(write=True) as sc:
        return dict(jsonable(lists.decide(sc, pair, verdict, note=note or None)))


def list_file_columns(ctx: Ctx, filename: str, data: bytes) -> dict[str, Any]:
    """The file's columns, the standard fields, and the mapping guessed from headings."""
    return lists.preview_upload(ctx.case, ctx.actor, filename, data)


def check_list_file(
    ctx: Ctx, filename: str, data: bytes, mapping: dict[str, str], list_name: str
) -> dict[str, Any]:
    """Validate with the mapping (nothing stored): the validation report."""
    return dict(
        jsonable(
            lists.check_upload(
                ctx.case, ctx.actor, filename, data, mapping=mapping, list_name=list_name
            )
        )
    )


def check_mapping(
    ctx: Ctx, filename: str, columns: list[str], mapping: dict[str, str]
) -> dict[str, str]:
    """The mapping's own faults (``InputError``, field ``mapping``), from the columns
    read at the upload: the file is not read again."""
    return lists.check_mapping(ctx.case, ctx.actor, filename, columns, mapping)


def submit_list_check(
    ctx: Ctx, filename: str, data: bytes, mapping: dict[str, str], list_name: str
) -> dict[str, Any]:
    """Queue the check of the upload with *mapping* as a ``list_check`` job
    (``services.lists.submit_check``); the job page follows it."""
    from dalil.web.handlers.jobs import poke

    with ctx.act(write=True) as sc:
        row = lists.submit_check(sc, filename, data, mapping=mapping, list_name=list_name)
    poke(ctx)
    return dict(row)


def check_job_result(ctx: Ctx, job_id: int) -> dict[str, Any] | None:
    """The outcome of a finished ``list_check`` job (the validation report and the
    mapping it was checked with), or None when the job is not a list check or has not
    finished well (its page says why)."""
    from dalil.services import jobs

    with ctx.act(write=False) as sc:
        job = jobs.get(sc, job_id, log_lines=0)
    if job["kind"] != lists.CHECK_JOB or job["state"] != "done":
        return None
    result = job.get("result")
    return dict(jsonable(result)) if isinstance(result, dict) else None


def may_import_lists(ctx: Ctx) -> None:
    """PermissionDenied (logged) unless the user may import lists: checked before anything
    else so that the answer does not depend on what the session holds."""
    lists.may_import(ctx.case, ctx.actor)


def submit_list_import(
    ctx: Ctx, filename: str, data: bytes, mapping: dict[str, str], list_name: str
) -> dict[str, Any]:
    """Queue the import as a ``list_import`` job (``services.lists.submit_import``:
    permission, name and audit inside); the job page follows it."""
    from dalil.web.handlers.jobs import poke

    with ctx.act(write=True) as sc:
        row = lists.submit_import(sc, filename, data, mapping=mapping, list_name=list_name)
    poke(ctx)
    return dict(row)


def import_job_result(ctx: Ctx, job_id: int) -> dict[str, Any] | None:
    """The outcome of a finished ``list_import`` job (the list and its validation
    report), or None when the job is not a list import or has not finished well."""
    from dalil.services import jobs

    with ctx.act(write=False) as sc:
        job = jobs.get(sc, job_id, log_lines=0)
    if job["kind"] != lists.IMPORT_JOB or job["state"] != "done":
        return None
    result = job.get("result")
    return dict(jsonable(result)) if isinstance(result, dict) else None


def link_lists(ctx: Ctx, say: Callable[[str], None]) -> dict[str, Any]:
    """Run the linkage of every imported list (``lists link``), reporting progress."""
    with ctx.act(write=True) as sc:
        return dict(jsonable(lists.link(sc, progress=say)))


def histories(ctx: Ctx) -> dict[str, Any]:
    """The capture histories (``lists histories --json``): the stored ones when they
    hold, else counted now."""
    with ctx.act(write=False) as sc:
        names, rows = lists.read_histories(sc)
    return {"lists": list(names), "rows": jsonable(rows)}


def stored_histories(ctx: Ctx) -> dict[str, Any]:
    """The capture histories the estimates page shows: only what a job stored, never
    counted in the request. When none hold (none yet, or a change since), a
    ``histories`` job is queued (or the one queued already is named): ``{"job": …}``.
    A stored refusal (no list, records not linked) is raised as the service raises it."""
    from dalil.web.handlers.jobs import poke

    with ctx.act(write=False) as sc:
        held = lists.stored_histories(sc)
    if held["state"] != "fresh":
        with ctx.act(write=True) as sc:
            job = lists.request_histories(sc)
            if job is None:  # stored by a job in the meantime
                held = lists.stored_histories(sc)
        if job is not None:
            poke(ctx)
            return {"lists": [], "rows": [], "job": {"id": job["id"], "state": job["state"]}}
    if held["problem"]:
        raise lists.history_problem(str(held["problem"]))
    return {"lists": held["lists"], "rows": jsonable(held["rows"]), "job": None}


def victim_list(
    ctx: Ctx, list_id: int, *, retracted: str = "hide", limit: int = 50, offset: int = 0
) -> dict[str, Any]:
    """A victim list and a page of its records, open fields only (``lists.victim_list``)."""
    with ctx.act(write=False) as sc:
        return dict(
            jsonable(
                lists.victim_list(sc, list_id, retracted=retracted, limit=limit, offset=offset)
            )
        )


def list_record(ctx: Ctx, record_id: int) -> dict[str, Any]:
    """One list record, open fields only, with its list, victim and retraction."""
    with ctx.act(write=False) as sc:
        return dict(jsonable(lists.list_record(sc, record_id)))
