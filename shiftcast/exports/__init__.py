"""Exports: the roster and plans as Excel, CSV, iCalendar and PNG files. Pure writers, no planning here."""
