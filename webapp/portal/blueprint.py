"""The portal's URLs, under /w/<workspace>/portal (the views are in views.py and agency.py)."""

from webapp.tenancy import workspace_blueprint

bp = workspace_blueprint("portal", __name__, "/portal")

from . import agency, library, views  # noqa: E402,F401  (the routes register on bp)
