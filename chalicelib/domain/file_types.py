"""Content types of the files organisers download; app.py declares XLSX binary without loading a renderer."""

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
