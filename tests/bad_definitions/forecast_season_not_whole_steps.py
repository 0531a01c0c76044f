from generator.model import Forecast

LOAD = Forecast(name="load", help="Load.", expr="avg(node_load1)", step="7m", season="1d", history="7d")  # expect: season 1d must be a whole number (>= 2) of steps of 7m
