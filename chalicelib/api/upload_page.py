"""The participant upload page: static files, served by the API itself.

The page (chalicelib/web/) is plain HTML, CSS and three scripts that upload.html loads in
order: upload-texts.js (the texts), upload-transfer.js (the API client and the upload to the
bucket), upload.js (the page itself). It talks only to this API and to the upload bucket through
presigned URLs; the video never passes through the API. The files are read once at
import, so serving them costs no disk access per request.
"""
from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.access import Guard
from chalicelib.api.static_pages import content_security_policy, read_web_file, static_response

upload_page_routes = Blueprint(__name__)
guard = Guard(upload_page_routes)


PAGE_HTML = read_web_file("upload.html")
PAGE_JS = read_web_file("upload.js")
TEXTS_JS = read_web_file("upload-texts.js")
TRANSFER_JS = read_web_file("upload-transfer.js")
PAGE_CSS = read_web_file("upload.css")

# Scripts and styles come only from this API; the page may call any origin because the
# browser uploads straight to the bucket (S3 in AWS, the emulator locally), whose origin
# depends on the stage. Inline script, inline style attributes, frames and forms are refused.
CONTENT_SECURITY_POLICY = content_security_policy(img_src="'self' data:", connect_src="*")

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    # Revalidate every time: a participant must never run a stale script against a newer API.
    "Cache-Control": "no-cache",
}


def _static(body: str, content_type: str) -> Response:
    return static_response(body, content_type, SECURITY_HEADERS)


@upload_page_routes.route("/upload", methods=["GET"])
@guard.public
def upload_page() -> Response:
    """The page participants open: create an entry, upload the video, see the verdict."""
    return _static(PAGE_HTML, "text/html; charset=utf-8")


@upload_page_routes.route("/upload/upload.js", methods=["GET"])
@guard.public
def upload_script() -> Response:
    return _static(PAGE_JS, "text/javascript; charset=utf-8")


@upload_page_routes.route("/upload/upload-texts.js", methods=["GET"])
@guard.public
def upload_texts_script() -> Response:
    return _static(TEXTS_JS, "text/javascript; charset=utf-8")


@upload_page_routes.route("/upload/upload-transfer.js", methods=["GET"])
@guard.public
def upload_transfer_script() -> Response:
    return _static(TRANSFER_JS, "text/javascript; charset=utf-8")


@upload_page_routes.route("/upload/upload.css", methods=["GET"])
@guard.public
def upload_styles() -> Response:
    return _static(PAGE_CSS, "text/css; charset=utf-8")
