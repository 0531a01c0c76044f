"""A small Grafana on loopback that follows Grafana's documented HTTP API for dashboards, versions and folders.

Grafana cannot run here; the real one is exercised through stacks/docker-compose.yml. This server keeps the
documented behaviour obsgen relies on: search (GET /api/search), get by uid, save (POST /api/dashboards/db)
with `overwrite`, `folderUid`, `message` and the version check answering 412 `version-mismatch`, the 412
`name-exists` title clash, provisioned dashboards the API cannot save, the version history
(GET /api/dashboards/uid/:uid/versions, newest first) and folders (GET/POST /api/folders, 409 on a clash).
Every save increments the dashboard's version, as Grafana does.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from tests.servers import answer_json


@dataclass
class Stored:
    """A dashboard and its history as Grafana keeps them."""

    id: int
    uid: str
    data: dict[str, Any]
    folder_uid: str
    versions: list[dict[str, Any]] = field(default_factory=list)
    provisioned: bool = False


class ApiAnswer(Exception):
    """An HTTP answer other than 200, with Grafana's JSON body."""

    def __init__(self, code: int, message: str, **extra: str) -> None:
        super().__init__(message)
        self.code = code
        self.body = {"message": message, **extra}


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class FakeGrafana:
    """The server's state; tests read it and use it to stand in for what people do in the UI."""

    url: str = ""
    tokens: dict[str, str] = field(default_factory=lambda: {"obsgen-token": "sa-obsgen"})
    """Bearer token -> login (a service account)."""
    users: dict[str, str] = field(default_factory=lambda: {"alice": "alice-password"})
    """Basic-auth login -> password (people using the UI)."""
    folders: dict[str, dict[str, Any]] = field(default_factory=dict)
    dashboards: dict[str, Stored] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    """(method, path) of every request, in order."""
    before_next_save: list[Callable[[], None]] = field(default_factory=list)
    """Run (once each) just before the next POST /api/dashboards/db is handled: a concurrent edit."""
    lock: threading.RLock = field(default_factory=threading.RLock)
    next_id: int = 1

    def _id(self) -> int:
        self.next_id += 1
        return self.next_id

    def login(self, authorization: str) -> str:
        """Who is calling, or 401."""
        scheme, _, value = authorization.partition(" ")
        if scheme == "Bearer" and value in self.tokens:
            return self.tokens[value]
        if scheme == "Basic":
            user, _, password = base64.b64decode(value).decode().partition(":")
            if self.users.get(user) == password:
                return user
        raise ApiAnswer(401, "Unauthorized")

    def create_folder(self, body: dict[str, Any], login: str) -> dict[str, Any]:
        """POST /api/folders."""
        title = body.get("title") or ""
        if not title:
            raise ApiAnswer(400, "folder title cannot be empty")
        # Grafana's root folder, General, is no folder of the folder API and cannot be created: the folder
        # service refuses uid "general" (pkg/services/folder/folderimpl/folder.go, Create: trimmedUID ==
        # accesscontrol.GeneralFolderUID -> dashboards.ErrFolderInvalidUID), and the dashboard service a folder
        # titled "General" in any case (BuildSaveDashboardCommand: strings.EqualFold(dash.Title,
        # dashboards.RootFolderName) -> ErrDashboardFolderNameExists). Dashboards go there with no folderUid.
        if str(body.get("uid") or "").strip() == "general":
            raise ApiAnswer(400, "invalid uid for folder provided")
        if title.casefold() == "general":
            raise ApiAnswer(400, "A folder with that name already exists")
        uid = body.get("uid") or f"f{self._id()}"
        if uid in self.folders or any(f["title"] == title for f in self.folders.values()):
            raise ApiAnswer(409, "a folder with the same name or uid already exists")
        folder = {"id": self._id(), "uid": uid, "title": title, "url": f"/dashboards/f/{uid}/{_slug(title)}",
                  "createdBy": login, "created": _now(), "updatedBy": login, "updated": _now(), "version": 1}
        self.folders[uid] = folder
        return folder

    def save(self, body: dict[str, Any], login: str, provisioned: bool = False) -> dict[str, Any]:
        """POST /api/dashboards/db, with Grafana's checks in Grafana's order."""
        dashboard = dict(body.get("dashboard") or {})
        if not dashboard.get("title"):
            raise ApiAnswer(400, "Dashboard title cannot be empty")
        folder_uid = body.get("folderUid") or ""
        if folder_uid and folder_uid not in self.folders:
            raise ApiAnswer(400, "folder not found")
        uid = dashboard.get("uid") or f"d{self._id()}"
        existing = self.dashboards.get(uid)
        overwrite = bool(body.get("overwrite"))
        if existing is not None and existing.provisioned and not provisioned:
            raise ApiAnswer(400, "Cannot save provisioned dashboard")
        if existing is not None and not overwrite and dashboard.get("version") != existing.data["version"]:
            raise ApiAnswer(412, "The dashboard has been changed by someone else", status="version-mismatch")
        if existing is None and dashboard.get("id"):
            raise ApiAnswer(404, "Dashboard not found")
        for other in self.dashboards.values():
            if (other.uid != uid and other.folder_uid == folder_uid
                    and other.data["title"].lower() == dashboard["title"].lower()):
                raise ApiAnswer(412, "A dashboard with the same name in the folder already exists",
                                status="name-exists")
        version = existing.data["version"] + 1 if existing else 1
        stored = existing or Stored(self._id(), uid, {}, folder_uid, provisioned=provisioned)
        stored.data = {**dashboard, "id": stored.id, "uid": uid, "version": version}
        stored.folder_uid = folder_uid
        stored.versions.append({"id": self._id(), "dashboardId": stored.id, "uid": uid, "parentVersion": version - 1,
                                "restoredFrom": 0, "version": version, "created": _now(), "createdBy": login,
                                "message": body.get("message", "")})
        self.dashboards[uid] = stored
        return {"id": stored.id, "uid": uid, "url": f"/d/{uid}/{_slug(dashboard['title'])}", "status": "success",
                "version": version, "slug": _slug(dashboard["title"])}

    def get(self, uid: str) -> dict[str, Any]:
        """GET /api/dashboards/uid/:uid."""
        stored = self.dashboards.get(uid)
        if stored is None:
            raise ApiAnswer(404, "Dashboard not found")
        folder = self.folders.get(stored.folder_uid, {})
        first, last = stored.versions[0], stored.versions[-1]
        return {"dashboard": stored.data, "meta": {
            "url": f"/d/{uid}/{_slug(stored.data['title'])}", "folderUid": stored.folder_uid,
            "folderTitle": folder.get("title", "General"), "version": stored.data["version"],
            "provisioned": stored.provisioned, "created": first["created"], "createdBy": first["createdBy"],
            "updated": last["created"], "updatedBy": last["createdBy"]}}

    def search(self, query: dict[str, list[str]]) -> list[dict[str, Any]]:
        """GET /api/search with type, dashboardUIDs, folderUIDs, query, limit and page."""
        kind = query.get("type", [""])[0]
        hits = [] if kind == "dash-db" else [
            {"id": f["id"], "uid": f["uid"], "title": f["title"], "type": "dash-folder"} for f in self.folders.values()]
        if kind != "dash-folder":
            for stored in self.dashboards.values():
                folder = self.folders.get(stored.folder_uid, {})
                hits.append({"id": stored.id, "uid": stored.uid, "title": stored.data["title"], "type": "dash-db",
                             "url": f"/d/{stored.uid}/{_slug(stored.data['title'])}",
                             "tags": stored.data.get("tags", []), "folderUid": stored.folder_uid or None,
                             "folderTitle": folder.get("title")})
        wanted = query.get("dashboardUIDs")
        folders = query.get("folderUIDs")
        text = query.get("query", [""])[0].lower()
        hits = [h for h in hits if (not wanted or h["uid"] in wanted) and text in h["title"].lower()
                and (not folders or h.get("folderUid") in folders)]
        return _page(sorted(hits, key=lambda h: h["title"].lower()), query, default=1000)

    def history(self, uid: str, query: dict[str, list[str]]) -> list[dict[str, Any]]:
        """GET /api/dashboards/uid/:uid/versions, newest first."""
        if uid not in self.dashboards:
            raise ApiAnswer(404, "Dashboard not found")
        limit = int(query.get("limit", ["0"])[0]) or None
        return list(reversed(self.dashboards[uid].versions))[:limit]

    def route(self, method: str, path: str, query: dict[str, list[str]], body: Any, login: str) -> Any:
        """The answer to one authenticated request."""
        if method == "GET" and path == "/api/folders":
            return _page(sorted(self.folders.values(), key=lambda f: f["title"]), query, default=1000)
        if method == "POST" and path == "/api/folders":
            return self.create_folder(body, login)
        if method == "GET" and (match := re.fullmatch(r"/api/folders/([^/]+)", path)):
            if match[1] not in self.folders:
                raise ApiAnswer(404, "folder not found")
            return self.folders[match[1]]
        if method == "GET" and path in ("/api/search", "/api/search/"):
            return self.search(query)
        if method == "GET" and (match := re.fullmatch(r"/api/dashboards/uid/([^/]+)/versions", path)):
            return self.history(match[1], query)
        if method == "GET" and (match := re.fullmatch(r"/api/dashboards/uid/([^/]+)", path)):
            return self.get(match[1])
        if method == "POST" and path == "/api/dashboards/db":
            return self.save(body, login)
        raise ApiAnswer(404, "Not found")

    def run_save_hooks(self) -> None:
        """Run and forget the before_next_save hooks, outside the lock so they may call the server."""
        with self.lock:
            hooks, self.before_next_save[:] = list(self.before_next_save), []
        for hook in hooks:
            hook()

    def provision(self, dashboard: dict[str, Any], folder_uid: str = "") -> None:
        """Load a dashboard the way a file provisioning provider does."""
        with self.lock:
            self.save({"dashboard": dashboard, "folderUid": folder_uid, "overwrite": True}, "provisioning",
                      provisioned=True)


def _page(items: list[dict[str, Any]], query: dict[str, list[str]], default: int) -> list[dict[str, Any]]:
    limit = int(query.get("limit", [str(default)])[0])
    page = int(query.get("page", ["1"])[0])
    return items[(page - 1) * limit: page * limit]


@contextmanager
def fake_grafana() -> Iterator[FakeGrafana]:
    """A FakeGrafana serving on a free loopback port."""
    state = FakeGrafana()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, method: str) -> None:
            parsed = urlparse(self.path)
            length = int(self.headers.get("Content-Length", 0))
            status, answer = 200, None
            try:
                body = json.loads(self.rfile.read(length) or b"null")
            except ValueError:
                status, answer = 400, {"message": "bad request data"}
            if answer is None and method == "POST" and parsed.path == "/api/dashboards/db":
                state.run_save_hooks()
            if answer is None:
                with state.lock:
                    state.requests.append((method, parsed.path))
                    try:
                        login = state.login(self.headers.get("Authorization", ""))
                        answer = state.route(method, parsed.path, parse_qs(parsed.query), body, login)
                    except ApiAnswer as error:
                        status, answer = error.code, error.body
            answer_json(self, status, answer)

        def do_GET(self) -> None:
            self._answer("GET")

        def do_POST(self) -> None:
            self._answer("POST")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
