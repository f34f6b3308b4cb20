"""A stand-in for github.com and api.github.com on 127.0.0.1: repository zip archives by ref, a
'main' branch or not, and the paginated branch and tag listings of the API; every request is
recorded. Also the zip archives themselves, as GitHub lays them out (one top folder)."""
import contextlib
import io
import json
import re
import urllib.parse
import zipfile
from http.server import BaseHTTPRequestHandler

from tests.vision._archives import serve_with


def repo_zip(files, top="owner-repo-0123abc"):
    """A GitHub-style archive: the folder `top`, then each {relative path: text} inside it."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(top + "/", "")
        for name, text in files.items():
            zf.writestr(f"{top}/{name}", text)
    return buf.getvalue()


def raw_zip(names):
    """An archive whose entries have exactly these names (../ and absolute ones included)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in names:
            zf.writestr(zipfile.ZipInfo(name), "print('owned')\n")
    return buf.getvalue()


def ref_entry(name, sha):
    return {"name": name, "commit": {"sha": sha}}


class FakeGitHub:
    def __init__(self):
        self.reset()

    def reset(self):
        """No repositories, a 'main' branch, empty listings, no requests."""
        self.archives = {}       # (owner, repo, ref) -> zip bytes
        self.has_main = True     # whether /owner/repo/tree/main/ exists
        self.branches = [[]]     # pages of the API's branch listing
        self.tags = [[]]
        self.ambiguous = set()   # refs whose archive URL answers 300 Multiple Choices
        self.requests = []       # (path with query, {header: value})

    def archive_requests(self):
        return [path for path, _ in self.requests if "/zipball/" in path]

    def _answer(self, path):
        """(status, body bytes) for a request path."""
        url = urllib.parse.urlsplit(path)
        archive = re.fullmatch(r"/([^/]+)/([^/]+)/zipball/(.+)", url.path)
        if archive:
            if archive[3] in self.ambiguous:
                return 300, b""
            data = self.archives.get(archive.groups())
            return (200, data) if data is not None else (404, b"")
        if re.fullmatch(r"/[^/]+/[^/]+/tree/main/", url.path):
            return (200, b"<html/>") if self.has_main else (404, b"")
        listing = re.fullmatch(r"/repos/[^/]+/[^/]+/(branches|tags)", url.path)
        if listing:
            pages = self.branches if listing[1] == "branches" else self.tags
            page = int(urllib.parse.parse_qs(url.query)["page"][0])
            return 200, json.dumps(pages[page - 1] if page <= len(pages) else []).encode()
        return 404, b""

    @contextlib.contextmanager
    def serve(self):
        """Serve on 127.0.0.1, yielding the base URL (no trailing /)."""
        github = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                github.requests.append((self.path, dict(self.headers)))
                status, body = github._answer(self.path)
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        with serve_with(Handler) as base:
            yield base.rstrip("/")
