"""File names and dispositions of the links reviewers and judges get to an entry's video."""
from __future__ import annotations

from urllib.parse import unquote

import pytest

from chalicelib.domain.video_links import ascii_file_name, content_disposition, file_extension


@pytest.mark.parametrize("title, expected", [
    ("Khát vọng hùng cường", "Khat-vong-hung-cuong.mp4"),
    ("Đoàn phường “Kim Mã” – 2026/ok", "Doan-phuong-Kim-Ma-2026-ok.mp4"),
    ("  ...  ", "video.mp4"),
    ("Tuổi trẻ ĐẮK LẮK", "Tuoi-tre-DAK-LAK.mp4"),
])
def test_the_ascii_name_drops_marks_keeps_case_and_joins_words_with_dashes(title, expected):
    assert ascii_file_name(title, ".mp4") == expected


def test_the_exact_title_travels_as_rfc_5987_utf8():
    header = content_disposition("attachment", "Khát vọng hùng cường", ".mp4")
    assert header.startswith('attachment; filename="Khat-vong-hung-cuong.mp4"; ')
    encoded = header.split("filename*=UTF-8''", 1)[1]
    assert encoded.isascii() and " " not in encoded and '"' not in encoded
    assert unquote(encoded) == "Khát vọng hùng cường.mp4"


def test_a_title_cannot_smuggle_quotes_separators_or_line_breaks_into_the_header():
    header = content_disposition("inline", 'a"b/c\\d\r\nX-Evil: 1', ".mp4")
    assert "\r" not in header and "\n" not in header
    fallback = header.split('filename="', 1)[1].split('"', 1)[0]
    assert fallback == "a-b-c-d-X-Evil-1.mp4"
    assert "/" not in unquote(header.split("''", 1)[1]) and '"' not in unquote(header.split("''", 1)[1])


def test_the_extension_comes_from_the_uploaded_name_or_else_the_type():
    assert file_extension("clip.MP4", "video/mp4") == ".mp4"
    assert file_extension("clip", "video/quicktime") == ".mov"
    assert file_extension("clip.mp4;rm -rf", "video/webm") == ".webm"
    assert file_extension("", "application/octet-stream") == ""
