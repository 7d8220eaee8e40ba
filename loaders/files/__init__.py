"""Bytes to grids: .xlsx/.xlsm, Excel 97-2003 .xls, OpenDocument .ods and CSV read into cell grids, within size limits."""
