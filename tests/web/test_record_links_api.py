"""``GET /api/v1/{kind}/{id}`` and ``dalil {kind} show --json`` carry a record's links: an
incident its acts, sites and provenance (with locators); retracted records are left out;
the same document can be sent back as a PATCH. All data fictional."""

from __future__ import annotations

import json
from typing import Any

from dalil.testing import TEST_PASSPHRASE, DalilRunner

from .conftest import Client


def _h(seeded: dict[str, Any], role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {seeded['tokens'][role]}"}


def test_an_incident_carries_its_acts_sites_and_provenance(
    client: Client, seeded: dict[str, Any]
) -> None:
    inv = _h(seeded, "investigator")

    def post(kind: str, body: dict[str, Any]) -> int:
        r = client.post(f"/api/v1/{kind}", json=body, headers=inv)
        assert r.status_code == 201, r.text
        return int(r.json()["id"])

    inc = post("incidents", {"title": "Fictional shelling of the linked market"})
    victim = post("persons", {"pseudonym": "V-Links-Fict", "roles": ["victim"]})
    act = post("acts", {"incident_id": inc, "victim_id": victim, "act_type": "killing"})
    gone = post("acts", {"incident_id": inc, "victim_id": victim, "act_type": "injury"})
    site = post(
        "sites", {"name": "Fictional linked grave", "site_type": "burial", "incident_id": inc}
    )
    prov = post(
        "provenance",
        {
            "subject_kind": "incident",
            "subject_id": inc,
            "source_id": seeded["source"],
            "role": "supports",
            "locator": "p. 4, second paragraph",
        },
    )
    r = client.post(f"/api/v1/acts/{gone}/retract", json={"reason": "entered twice"}, headers=inv)
    assert r.status_code == 200, r.text

    got = client.get(f"/api/v1/incidents/{inc}", headers=_h(seeded, "viewer"))
    assert got.status_code == 200, got.text
    doc = got.json()
    assert doc["acts"] == [act] and doc["sites"] == [site]
    assert [(p["id"], p["source_id"], p["role"], p["locator"]) for p in doc["provenance"]] == [
        (prov, seeded["source"], "supports", "p. 4, second paragraph")
    ]
    act_doc = client.get(f"/api/v1/acts/{act}", headers=_h(seeded, "viewer")).json()
    assert act_doc["provenance"] == [] and "acts" not in act_doc

    # The document read can be sent back as an edit: the links are not fields.
    doc["title"] = "Fictional shelling of the linked market (corrected)"
    h = {**inv, "If-Match": got.headers["ETag"]}
    r = client.request("PATCH", f"/api/v1/incidents/{inc}", json=doc, headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["title"].endswith("(corrected)")

    # The CLI shows the same links.
    dalil = DalilRunner({"DALIL_CASE": str(seeded["root"]), "DALIL_PASSPHRASE": TEST_PASSPHRASE})
    out = dalil("incident", "show", str(inc), "--json")
    assert out.exit_code == 0, out.stderr
    shown = json.loads(out.stdout)
    assert shown["acts"] == [act] and shown["sites"] == [site]
    assert [p["id"] for p in shown["provenance"]] == [prov]
    text = dalil("incident", "show", str(inc))
    assert f"provenance {prov}: supports by source {seeded['source']} at p. 4" in text.stdout
