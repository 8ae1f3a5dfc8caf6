"""The portal's blueprint, under /w/<workspace>/portal; views.py, agency.py and library.py
attach their routes to it (the app factory imports them)."""

from webapp.tenancy import workspace_blueprint

bp = workspace_blueprint("portal", __name__, "/portal")
