"""What the pages this API serves itself (the upload page, the console, the public campaign pages)
share: files read once at import, one shape of Content-Security-Policy, one way to answer."""
from __future__ import annotations

from pathlib import Path

from chalice import Response

WEB_DIR = Path(__file__).parent.parent / "web"


def read_web_file(*parts: str) -> str:
    return WEB_DIR.joinpath(*parts).read_text(encoding="utf-8")


def content_security_policy(*, img_src: str, connect_src: str, frame_ancestors: str = "'none'",
                            media_src: str | None = None) -> str:
    """Scripts and styles only from this API, no inline code, no forms, no base rewriting; what a page
    may load beyond that (images, media, calls, who may frame it) is the page's own choice."""
    directives = ["default-src 'none'", "script-src 'self'", "style-src 'self'", f"img-src {img_src}"]
    if media_src:
        directives.append(f"media-src {media_src}")
    directives += [f"connect-src {connect_src}", "base-uri 'none'", "form-action 'none'",
                   f"frame-ancestors {frame_ancestors}"]
    return "; ".join(directives)


def static_response(body: str, content_type: str, headers: dict[str, str]) -> Response:
    return Response(body=body, status_code=200, headers={"Content-Type": content_type, **headers})
