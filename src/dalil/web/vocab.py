"""Words that reach templates through variables (roles, source kinds), marked here so the
message extractor finds them and the Arabic catalog translates them."""

from __future__ import annotations

from dalil.web.context import N_

ROLE_LABELS = (N_("admin"), N_("investigator"), N_("analyst"), N_("legal"), N_("viewer"))
SOURCE_KINDS = (
    N_("report"),
    N_("article"),
    N_("statement"),
    N_("testimony"),
    N_("list"),
    N_("media"),
    N_("official"),
)
