"""The web task of the ECS example: answers every path with its version, /health with ok.

The port comes from $PORT and the version from $VERSION (the task definition sets it).
"""
import http.server
import os

VERSION = os.environ.get("VERSION", "v?")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # small answers go out at once, not after 40 ms

    def do_GET(self):
        body = (b"ok\n" if self.path == "/health" else (VERSION + "\n").encode())
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
