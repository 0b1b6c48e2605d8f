"""The multi-page web edition with search (``--format site``, written to ``out/site/``)."""

from reportc.site.edition import SITE_DIR, SiteEdition, fallback_files, write_site

__all__ = ["SITE_DIR", "SiteEdition", "fallback_files", "write_site"]
