"""Display helpers shared by every interface: the one JSON encoder (:mod:`.jsonout`), the
gettext catalogs (:mod:`.i18n`), maps (:mod:`.maps`) and English wording
(:mod:`.wording`). They work on plain data and import no case, service or model."""
