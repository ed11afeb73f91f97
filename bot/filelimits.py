"""How large an import file may be: what the office's real files need, with room to spare, and
little enough that a hostile file is refused in seconds and a few hundred megabytes.

A register of a whole county for a year is some tens of thousands of rows; Excel itself stops
at 1,048,576 rows and 32,767 characters a cell.
"""

from __future__ import annotations

MiB = 1 << 20

# Rows of records in one sheet or CSV file. The header is looked for in the first HEADER_ROWS
# rows, so a file may have that many more in all, counted as it has them (blank and title rows
# included); a sheet's declared dimension and the highest number it gives a row count too.
MAX_ROWS = 1_000_000
HEADER_ROWS = 10
MAX_SHEET_ROWS = MAX_ROWS + HEADER_ROWS
# Rows of a units roster: a province has some thousands of units. A roster is checked whole
# (a name against every other), so it is held in memory: a million rows would take gigabytes.
MAX_UNITS = 100_000
# Characters of one cell: Excel's own limit. Python's csv module stops at 131,072 by itself.
MAX_CELL_CHARS = 32_767
# Characters of one row of a CSV file (all its lines, for a quoted cell spanning several; line
# ends included): thirty-two cells at the limit. A longer one is refused after reading this much
# of it, never read whole (a file of one 100 MB line).
MAX_CSV_ROW_CHARS = 32 * 32_768
# The file as it lies on disk.
MAX_FILE_BYTES = 512 * MiB
# An XLSX is a zip archive: what its members declare they hold once unpacked (zipfile never
# yields more than a member declares).
MAX_UNPACKED_BYTES = 1024 * MiB
MAX_SHEET_BYTES = 768 * MiB
MAX_SHARED_STRINGS_BYTES = 256 * MiB
# Every other XML member openpyxl parses whole: the workbook, styles, relationships, theme.
MAX_PART_BYTES = 32 * MiB
MAX_MEMBERS = 10_000
# Distinct texts of a workbook (its shared strings): each one is held in memory while reading.
MAX_SHARED_STRINGS = 4_000_000
# The XML of one row, or of what a sheet holds before its first row or after its last: a row of
# every column filled to the limit is far less.
MAX_PIECE_BYTES = 16 * MiB
