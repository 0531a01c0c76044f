"""Grafana's documented dashboard, dashboard-version, folder and search HTTP API, typed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.apply.http import Api, ApiError

PAGE = 1000  # Grafana's default page size for folders and search


@dataclass(frozen=True)
class LiveDashboard:
    """A dashboard as Grafana stores it (GET /api/dashboards/uid/:uid)."""

    dashboard: dict[str, Any]
    version: int
    folder_uid: str
    """"" for the root (General) folder."""
    provisioned: bool
    """Loaded from files by a provisioning provider: the API cannot save it."""
    updated_by: str
    updated: str


@dataclass(frozen=True)
class Version:
    """One saved version in a dashboard's history."""

    version: int
    created_by: str
    created: str
    message: str


@dataclass(frozen=True)
class Folder:
    """A dashboard folder."""

    uid: str
    title: str


@dataclass(frozen=True)
class Hit:
    """A dashboard as search lists it."""

    uid: str
    title: str
    folder_uid: str


class Grafana:
    """The calls obsgen makes to Grafana."""

    def __init__(self, api: Api) -> None:
        self.api = api

    def _pages(self, path: str, **params: Any) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        page = 1
        while True:
            batch = self.api.get(path, limit=PAGE, page=page, **params)
            items += batch
            if len(batch) < PAGE:
                return items
            page += 1

    def folders(self) -> list[Folder]:
        """Every top-level folder (GET /api/folders, all pages)."""
        return [Folder(f["uid"], f["title"]) for f in self._pages("/api/folders")]

    def create_folder(self, uid: str, title: str) -> Folder:
        """POST /api/folders."""
        created = self.api.post("/api/folders", {"uid": uid, "title": title})
        return Folder(created["uid"], created["title"])

    def dashboards(self) -> dict[str, Hit]:
        """Every dashboard by uid (GET /api/search?type=dash-db, all pages)."""
        return {hit["uid"]: Hit(hit["uid"], hit.get("title", ""), hit.get("folderUid") or "")
                for hit in self._pages("/api/search", type="dash-db")}

    def dashboard(self, uid: str) -> LiveDashboard | None:
        """GET /api/dashboards/uid/:uid; None when there is none."""
        try:
            found = self.api.get(f"/api/dashboards/uid/{uid}")
        except ApiError as error:
            if error.status == 404:
                return None
            raise
        meta = found.get("meta", {})
        return LiveDashboard(found["dashboard"], int(found["dashboard"].get("version") or meta.get("version") or 0),
                             meta.get("folderUid") or "", bool(meta.get("provisioned")),
                             str(meta.get("updatedBy", "")), str(meta.get("updated", "")))

    def versions(self, uid: str, limit: int = 100) -> list[Version]:
        """The dashboard's saved versions, newest first (GET /api/dashboards/uid/:uid/versions)."""
        found = self.api.get(f"/api/dashboards/uid/{uid}/versions", limit=limit)
        entries = found["versions"] if isinstance(found, dict) else found  # Grafana 11 wraps the list
        history = [Version(int(v["version"]), str(v.get("createdBy", "")), str(v.get("created", "")),
                           str(v.get("message", ""))) for v in entries]
        return sorted(history, key=lambda v: v.version, reverse=True)

    def save(self, dashboard: dict[str, Any], folder_uid: str, message: str, overwrite: bool) -> int:
        """POST /api/dashboards/db; the saved version. ApiError 412 when the version is stale or the title taken."""
        body: dict[str, Any] = {"dashboard": dashboard, "message": message, "overwrite": overwrite}
        if folder_uid:
            body["folderUid"] = folder_uid
        return int(self.api.post("/api/dashboards/db", body)["version"])
