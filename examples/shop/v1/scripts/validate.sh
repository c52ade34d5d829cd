#!/bin/sh
# ValidateService: the server answers /health within 10 seconds.
exec python3 - <<PY
import time, urllib.request
deadline = time.time() + 10
while True:
    try:
        with urllib.request.urlopen("http://127.0.0.1:${PORT:-8080}/health", timeout=1) as r:
            if r.status == 200:
                print("healthy")
                break
    except Exception as e:
        if time.time() > deadline:
            raise SystemExit(f"not healthy after 10 s: {e}")
        time.sleep(0.1)
PY
