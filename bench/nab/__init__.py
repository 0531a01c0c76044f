"""Helpers of bench/forecast_nab.py: reading a NAB-layout directory, and what is measured on each file."""
