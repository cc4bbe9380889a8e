"""The orders sample on Beanstalk's Python platform: a WSGI callable named
application, served by gunicorn (Procfile), with no dependencies to fetch."""
import json
import os


def application(environ, start_response):
    path = environ.get("PATH_INFO", "/")
    if path == "/health":
        status, body = "200 OK", {"status": "ok"}
    elif path == "/":
        status, body = "200 OK", {"backend": os.environ.get("BACKEND_NAME", "orders"), "version": os.environ.get("BACKEND_VERSION", "dev")}
    else:
        status, body = "404 Not Found", {"error": "not found", "path": path}
    data = json.dumps(body).encode()
    start_response(status, [("content-type", "application/json"), ("content-length", str(len(data)))])
    return [data]
