"""Shiftcast: workforce planning for inbound call centers driven by TV advertising.

The pipeline's parts live in their own packages: `forecasting` (calls per interval),
`scheduler` (staffing, roster, headcount) and `api` (the HTTP service). This package holds what
they share: the rules (`shiftcast.rules`), input errors (`shiftcast.errors`), CSV reading
(`shiftcast.tables`) and the command line (`shiftcast.cli`).
"""
__version__ = "0.1.0"
