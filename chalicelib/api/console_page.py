"""The organiser and jury console: the single-page app built from console/ by `make console`.

Vite writes index.html and content-hashed assets into chalicelib/web/console/ (not committed: the
build is made from the committed sources and lockfile, and the Lambda package ships it). The files
are read once at import. The console is only a client of this API: every action it offers goes
through the same routes and access rules as curl.
"""
from __future__ import annotations

from pathlib import Path

from chalice import Blueprint, Response

from chalicelib.api.access import Guard
from chalicelib.api.static_pages import WEB_DIR, content_security_policy
from chalicelib.domain.errors import NotFound

CONSOLE_DIR = WEB_DIR / "console"
ASSET_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
}

console_routes = Blueprint(__name__)
guard = Guard(console_routes)


def _read_build(directory: Path) -> tuple[str | None, dict[str, tuple[str, str]]]:
    index = directory / "index.html"
    if not index.is_file():
        return None, {}
    assets = {
        path.name: (path.read_text(encoding="utf-8"), ASSET_TYPES[path.suffix])
        for path in sorted((directory / "assets").glob("*"))
        if path.suffix in ASSET_TYPES
    }
    return index.read_text(encoding="utf-8"), assets


INDEX_HTML, ASSETS = _read_build(CONSOLE_DIR)

# Scripts, styles and API calls stay on this origin; videos stream from presigned bucket URLs, whose
# origin depends on the stage (S3 in AWS, the emulator locally). Downloads are blob: URLs made by the page.
CONTENT_SECURITY_POLICY = content_security_policy(img_src="'self' data: blob:", media_src="http: https:",
                                                  connect_src="'self'")

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def _not_built() -> NotFound:
    return NotFound(
        "Bảng điều khiển chưa được dựng trên máy chủ này.",
        "The console has not been built on this server (run `make console`).",
        code="console_not_built",
    )


@console_routes.route("/console", methods=["GET"])
@guard.public
def console_page() -> Response:
    """The console's single page; it asks for sign-in itself and routes with the URL's #fragment."""
    if INDEX_HTML is None:
        raise _not_built()
    # Revalidate every time: the page names the current build's hashed assets.
    return Response(body=INDEX_HTML, status_code=200, headers={
        "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-cache", **SECURITY_HEADERS})


@console_routes.route("/console/assets/{name}", methods=["GET"])
@guard.public
def console_asset(name: str) -> Response:
    asset = ASSETS.get(name)
    if asset is None:
        raise NotFound("Không có tệp này.", "No such file.", code="asset_not_found")
    body, content_type = asset
    # The name carries the content's hash: a changed file gets a new name, so this one never changes.
    return Response(body=body, status_code=200, headers={
        "Content-Type": content_type, "Cache-Control": "public, max-age=31536000, immutable", **SECURITY_HEADERS})
