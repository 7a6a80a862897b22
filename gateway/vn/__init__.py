"""Vietnamese identifiers and formats: phones, citizen IDs, dates, places, folding, amounts.

Each parser takes a raw cell or form value and returns the canonical value or raises
:class:`gateway.vn.cells.InvalidValue` with a stable code and a reason in Vietnamese and
English. The roster validator, the CLI, the API and the telco callbacks all read these here.
"""
