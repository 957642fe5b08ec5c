"""ACLED's event and sub-event types (``dalil.findings.incidents.EVENT_TYPES``) marked for
translation: the coding form and page show them in the user's language, the exports keep
ACLED's English names."""

from __future__ import annotations

from dalil.web.context import N_

EVENT_TYPE_WORDS = (
    N_("Violence against civilians"),
    N_("Attack"),
    N_("Abduction/forced disappearance"),
    N_("Sexual violence"),
    N_("Battles"),
    N_("Armed clash"),
    N_("Government regains territory"),
    N_("Non-state actor overtakes territory"),
    N_("Explosions/Remote violence"),
    N_("Air/drone strike"),
    N_("Shelling/artillery/missile attack"),
    N_("Remote explosive/landmine/IED"),
    N_("Grenade"),
    N_("Suicide bomb"),
    N_("Chemical weapon"),
    N_("Strategic developments"),
    N_("Arrests"),
    N_("Looting/property destruction"),
    N_("Disrupted weapons use"),
    N_("Headquarters or base established"),
    N_("Change to group/activity"),
    N_("Non-violent transfer of territory"),
    N_("Agreement"),
    N_("Other"),
    N_("Riots"),
    N_("Mob violence"),
    N_("Violent demonstration"),
    N_("Protests"),
    N_("Peaceful protest"),
    N_("Protest with intervention"),
    N_("Excessive force against protesters"),
)
