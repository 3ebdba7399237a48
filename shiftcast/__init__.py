"""Shiftcast: workforce planning for inbound call centers driven by TV advertising.

This package is the application layer: the planning steps (`shiftcast.steps`), the inputs they read
(`shiftcast.inputs`), the whole month's run (`shiftcast.pipeline`), headcount scenarios and reports,
and the exports (`shiftcast.exports`). It stands on the models (`forecasting`, `scheduler`), which
stand on `core`; the command line (`cli`) and the HTTP service (`api`) stand on it.
"""
