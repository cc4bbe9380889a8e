"""The catalog sample: answers / with its name and version and /health with 200."""
import json
import os
from http.server import BaseHTTPRequestHandler, HTTPServer


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/health":
            status, body = 200, {"status": "ok"}
        elif self.path == "/":
            status, body = 200, {"backend": os.environ.get("BACKEND_NAME", "catalog"), "version": os.environ.get("BACKEND_VERSION", "dev")}
        else:
            status, body = 404, {"error": "not found", "path": self.path}
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


HTTPServer(("", 8080), Handler).serve_forever()
