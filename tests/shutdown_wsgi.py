"""The app gunicorn serves in tests/test_graceful_shutdown.py: Leadline with one more route,
whose answer waits for a local hook (the test holds it), so a request is surely in flight."""

from __future__ import annotations

import os
import urllib.request

from webapp import create_app

app = create_app()


@app.get("/_test/held")
def held() -> str:
    request = urllib.request.Request(os.environ["SHUTDOWN_HOOK_URL"], data=b"{}", method="POST")
    with urllib.request.urlopen(request, timeout=60) as answer:
        answer.read()
    return "finished"
