"""Participant-facing texts for media checks, in Vietnamese and English.

Each function returns (message_vi, message_en). The Vietnamese text is what a
participant reads on a phone: it says what is wrong, what the contest expects and
what their file has, and, where it helps, what to do next. Numbers use Vietnamese
conventions (decimal comma).
"""
from __future__ import annotations

Texts = tuple[str, str]

CODEC_NAMES = {"h264": "H.264/AVC", "hevc": "H.265/HEVC", "vp9": "VP9", "av1": "AV1"}
CONTAINER_NAMES = {"mp4": "MP4", "mov": "MOV"}


# --- number and list formatting ------------------------------------------------------


def number_vi(value: float, decimals: int = 1) -> str:
    return f"{value:.{decimals}f}".replace(".", ",")


def number_en(value: float, decimals: int = 1) -> str:
    return f"{value:.{decimals}f}"


def bound_vi(value: float) -> str:
    """A rule's bound: whole numbers stay whole (15, not 15,0)."""
    return str(int(value)) if float(value).is_integer() else number_vi(value, 2).rstrip("0")


def bound_en(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else number_en(value, 2).rstrip("0")


def precise_decimals(actual: float, bounds: tuple[float, ...], wrong_side: bool) -> int:
    """Enough decimals that a rejected value never *reads* like an allowed bound.

    180.04 s against a 180 s limit would print as "180,0" with one decimal.
    """
    if not wrong_side:
        return 1
    for decimals in (1, 2, 3):
        if all(round(actual, decimals) != bound for bound in bounds):
            return decimals
    return 3


def _join(items: list[str], word: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {word} " + items[-1]


def names_vi(items: list[str]) -> str:
    return _join(items, "hoặc")


def names_en(items: list[str]) -> str:
    return _join(items, "or")


def codec_name(codec: str | None) -> str:
    if not codec:
        return "?"
    return CODEC_NAMES.get(codec, codec.upper())


def size_text(size: int, *, vi: bool, decimals: int = 1) -> str:
    """Sizes in the 1024-based units phones and Windows show, labelled GB/MB/KB."""
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= scale:
            text = f"{size / scale:.{decimals}f}".rstrip("0").rstrip(".")
            return f"{text.replace('.', ',') if vi else text} {unit}"
    return f"{size} byte" if vi else f"{size} bytes"


def _size_decimals(size: int, limit: int) -> int:
    """Enough decimals that a size over the limit does not print as the limit."""
    for decimals in (1, 2, 3):
        if size_text(size, vi=False, decimals=decimals) != size_text(limit, vi=False, decimals=decimals):
            return decimals
    return 3


def dimensions(width: int | None, height: int | None) -> str:
    return f"{width}×{height}" if width and height else "?"


# --- probe failures -------------------------------------------------------------------

PROBE_ERRORS: dict[str, Texts] = {
    "empty_file": (
        "Tệp bạn tải lên bị trống (0 byte). Hãy chọn lại đúng tệp video và tải lên lại.",
        "The uploaded file is empty (0 bytes). Choose the video file again and re-upload it.",
    ),
    "not_a_video": (
        "Tệp bạn tải lên không phải là video MP4 hoặc MOV (có thể là ảnh, tệp âm thanh "
        "hoặc tài liệu). Hãy chọn đúng tệp video rồi tải lên lại.",
        "The uploaded file is not an MP4 or MOV video (it may be a photo, an audio file "
        "or a document). Choose the video file and upload it again.",
    ),
    "file_incomplete": (
        "Tệp video chưa đầy đủ: có thể quá trình tải lên bị gián đoạn hoặc tệp bị hỏng. "
        "Hãy tải lên lại; nếu vẫn lỗi, hãy xuất lại video từ ứng dụng chỉnh sửa.",
        "The video file is incomplete: the upload may have been interrupted or the file "
        "is damaged. Upload it again; if that fails, export the video again from your "
        "editing app.",
    ),
    "corrupt_header": (
        "Không đọc được thông tin của video vì phần đầu tệp bị hỏng. Hãy xuất lại video "
        "từ ứng dụng chỉnh sửa rồi tải lên lại.",
        "The video's header is damaged, so it cannot be read. Export the video again "
        "from your editing app and re-upload it.",
    ),
    "read_budget_exceeded": (
        "Không đọc được thông tin của video trong giới hạn cho phép vì tệp có cấu trúc "
        "bất thường. Hãy xuất lại video ở định dạng MP4 thông thường rồi tải lên lại.",
        "The video's header could not be read within the allowed limits because the file "
        "is laid out unusually. Export it again as a standard MP4 and re-upload it.",
    ),
    "probe_error": (
        "Hệ thống chưa đọc được video này. Hãy xuất lại video ở định dạng MP4 thông "
        "thường rồi tải lên lại; nếu vẫn lỗi, hãy liên hệ ban tổ chức.",
        "The system could not read this video. Export it again as a standard MP4 and "
        "re-upload it; if that fails, contact the organisers.",
    ),
}


def probe_error(code: str) -> Texts:
    return PROBE_ERRORS.get(code, PROBE_ERRORS["probe_error"])


# --- container ---------------------------------------------------------------------


def container_allowed(container: str) -> Texts:
    name = CONTAINER_NAMES.get(container, container)
    return f"Định dạng tệp hợp lệ ({name}).", f"File format accepted ({name})."


def container_not_allowed(actual: str, allowed: list[str]) -> Texts:
    names = [CONTAINER_NAMES.get(c, c.upper()) for c in allowed]
    return (
        f"Định dạng tệp chưa đúng: tệp của bạn là {actual}, cuộc thi chỉ nhận "
        f"{names_vi(names)}. Hãy xuất lại video sang {names[0]} rồi tải lên lại.",
        f"Wrong file format: your file is {actual}; this contest accepts {names_en(names)} "
        f"only. Export the video as {names[0]} and upload it again.",
    )


# --- file size -----------------------------------------------------------------------


def file_size_ok(size: int) -> Texts:
    return (
        f"Dung lượng tệp hợp lệ ({size_text(size, vi=True)}).",
        f"File size accepted ({size_text(size, vi=False)}).",
    )


def file_too_large(size: int, limit: int) -> Texts:
    decimals = _size_decimals(size, limit)
    return (
        f"Tệp quá lớn: tối đa {size_text(limit, vi=True)}, tệp của bạn "
        f"{size_text(size, vi=True, decimals=decimals)}. Hãy xuất lại video với chất lượng "
        "thấp hơn hoặc cắt ngắn bớt rồi tải lên lại.",
        f"The file is too large: the limit is {size_text(limit, vi=False)}; yours is "
        f"{size_text(size, vi=False, decimals=decimals)}. Export it at a lower quality or "
        "make it shorter, then upload it again.",
    )


# --- codec --------------------------------------------------------------------------


def codec_allowed(codec: str) -> Texts:
    return (
        f"Chuẩn nén video hợp lệ ({codec_name(codec)}).",
        f"Video codec accepted ({codec_name(codec)}).",
    )


def codec_not_allowed(actual: str | None, allowed: list[str]) -> Texts:
    names = [codec_name(c) for c in allowed]
    vi = (
        f"Video được nén bằng chuẩn {codec_name(actual)}, cuộc thi chỉ nhận "
        f"{names_vi(names)}. Hãy xuất lại video với chuẩn {names[0]}."
    )
    en = (
        f"The video is encoded as {codec_name(actual)}; this contest accepts "
        f"{names_en(names)} only. Export it again using {names[0]}."
    )
    if actual == "hevc" and "h264" in allowed:
        # iPhones record HEVC by default; this setting is the usual fix.
        vi += " Trên iPhone: Cài đặt > Camera > Định dạng > chọn “Tương thích nhất”."
        en += " On iPhone: Settings > Camera > Formats > choose “Most Compatible”."
    return vi, en


# --- resolution -------------------------------------------------------------------------


def _orientation(width: int, height: int) -> Texts:
    if height > width:
        return "dọc", "portrait"
    if width > height:
        return "ngang", "landscape"
    return "vuông", "square"


def resolution_ok(width: int, height: int) -> Texts:
    size = dimensions(width, height)
    return f"Kích thước khung hình hợp lệ ({size}).", f"Frame size accepted ({size})."


def _have(want_w: int, want_h: int, width: int, height: int) -> Texts:
    """The participant's size, naming its orientation when that is the problem."""
    have = dimensions(width, height)
    wanted, actual = _orientation(want_w, want_h), _orientation(width, height)
    if wanted == actual:
        return have, have
    return f"{have} ({actual[0]})", f"{have} ({actual[1]})"


def resolution_mismatch(want_w: int, want_h: int, width: int, height: int) -> Texts:
    vi_o, en_o = _orientation(want_w, want_h)
    want = dimensions(want_w, want_h)
    have_vi, have_en = _have(want_w, want_h, width, height)
    return (
        f"Video phải có kích thước khung hình đúng {want} ({vi_o}); video của bạn là {have_vi}.",
        f"The video must be exactly {want} ({en_o}); yours is {have_en}.",
    )


def resolution_too_small(want_w: int, want_h: int, width: int, height: int) -> Texts:
    vi_o, en_o = _orientation(want_w, want_h)
    want = dimensions(want_w, want_h)
    if _orientation(want_w, want_h) != _orientation(width, height):
        have_vi, have_en = _have(want_w, want_h, width, height)
        return (
            f"Video phải là video {vi_o} có kích thước khung hình tối thiểu {want}; "
            f"video của bạn là {have_vi}.",
            f"The video must be {en_o} and at least {want}; yours is {have_en}.",
        )
    have = dimensions(width, height)
    return (
        f"Video phải có kích thước khung hình tối thiểu {want}; video của bạn chỉ có {have}.",
        f"The video must be at least {want}; yours is only {have}.",
    )


def landscape_not_rotated(want_w: int, want_h: int, width: int, height: int) -> Texts:
    want, have = dimensions(want_w, want_h), dimensions(width, height)
    return (
        f"Video của bạn đang ở dạng ngang ({have}), trong khi cuộc thi yêu cầu video dọc "
        f"{want}. Hãy quay hoặc xuất lại video theo chiều dọc.",
        f"Your video is landscape ({have}), but this contest needs a portrait video of "
        f"{want}. Record or export it again in portrait orientation.",
    )


def resolution_unknown(want_w: int, want_h: int) -> Texts:
    want = dimensions(want_w, want_h)
    return (
        f"Không xác định được kích thước khung hình của video (yêu cầu {want}). "
        "Hãy xuất lại video rồi tải lên lại.",
        f"The video's frame size could not be determined (required: {want}). "
        "Export it again and re-upload it.",
    )


# --- duration -------------------------------------------------------------------------


def duration_ok(actual: float) -> Texts:
    return (
        f"Thời lượng hợp lệ ({number_vi(actual)} giây).",
        f"Duration accepted ({number_en(actual)} seconds).",
    )


def duration_out_of_range(minimum: float, maximum: float, actual: float) -> Texts:
    decimals = precise_decimals(actual, (minimum, maximum), wrong_side=True)
    return (
        f"Video phải dài từ {bound_vi(minimum)} đến {bound_vi(maximum)} giây; tệp của bạn "
        f"dài {number_vi(actual, decimals)} giây.",
        f"The video must be between {bound_en(minimum)} and {bound_en(maximum)} seconds "
        f"long; yours is {number_en(actual, decimals)} seconds.",
    )


def duration_unknown(minimum: float, maximum: float) -> Texts:
    return (
        f"Không xác định được thời lượng của video (yêu cầu từ {bound_vi(minimum)} đến "
        f"{bound_vi(maximum)} giây). Hãy xuất lại video rồi tải lên lại.",
        f"The video's duration could not be determined (required: {bound_en(minimum)} to "
        f"{bound_en(maximum)} seconds). Export it again and re-upload it.",
    )


# --- warnings -----------------------------------------------------------------------------


def frame_rate_ok(fps: float) -> Texts:
    return (
        f"Tốc độ khung hình hợp lệ ({bound_vi(round(fps, 2))} khung hình/giây).",
        f"Frame rate accepted ({bound_en(round(fps, 2))} frames per second).",
    )


def frame_rate_unusual(fps: float, minimum: float, maximum: float) -> Texts:
    return (
        f"Lưu ý: video có tốc độ {bound_vi(round(fps, 2))} khung hình/giây, ngoài mức "
        f"thông thường ({bound_vi(minimum)}–{bound_vi(maximum)}). Video vẫn được nhận "
        "nhưng có thể phát không mượt.",
        f"Note: the video runs at {bound_en(round(fps, 2))} frames per second, outside "
        f"the usual {bound_en(minimum)}–{bound_en(maximum)}. It is still accepted but may "
        "not play smoothly.",
    )


def audio_present() -> Texts:
    return "Video có âm thanh.", "The video has sound."


def no_audio() -> Texts:
    return (
        "Lưu ý: video không có âm thanh. Video vẫn được nhận; nếu bạn định có nhạc hoặc "
        "lời thoại, hãy kiểm tra lại trước khi nộp.",
        "Note: the video has no sound. It is still accepted; if you meant it to have "
        "music or speech, check it before submitting.",
    )
